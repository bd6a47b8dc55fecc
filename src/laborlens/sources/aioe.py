"""Parsers for the AI Occupational Exposure (AIOE) files of Felten, Raj & Seamans.

Both files score occupations by SOC 2010 code (``AIOE_DataAppendix.xlsx`` Appendix A, 2021;
``Language Modeling AIOE and AIIE.xlsx`` sheet ``LM AIOE``, the 2023 language-modelling update).
The scores are standardised (mean 0, SD 1 over the listed occupations). One code, 19-1020
(Biological Scientists), is a SOC 2010 broad group rather than a detailed occupation.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from laborlens.sources.tabular import Col, check_unique, read_table

__all__ = ["read_aioe", "read_lm_aioe"]


def _read(path: str | Path, sheet: str, score_header: str, score_name: str) -> pd.DataFrame:
    cols = [
        Col("SOC Code", "soc_2010_code", "soc"),
        Col("Occupation Title", "title"),
        Col(score_header, score_name, "float"),
    ]
    frame = read_table(path, cols, sheet=sheet)
    return check_unique(frame, ["soc_2010_code"], path)


def read_aioe(path: str | Path) -> pd.DataFrame:
    """AIOE by SOC 2010 code (Appendix A; 774 occupations).

    Returns soc_2010_code, title, aioe. Raises LayoutError on a missing sheet or column, a
    malformed code, a non-numeric score or a repeated code.
    """
    return _read(path, "Appendix A", "AIOE", "aioe")


def read_lm_aioe(path: str | Path) -> pd.DataFrame:
    """Language-modelling AIOE by SOC 2010 code (sheet ``LM AIOE``; 774 occupations).

    Returns soc_2010_code, title, lm_aioe.
    """
    return _read(path, "LM AIOE", "Language Modeling AIOE", "lm_aioe")

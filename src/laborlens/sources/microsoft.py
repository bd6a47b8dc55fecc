"""Parser for Microsoft Research's AI applicability scores (Tomlinson et al. 2025).

``soc_ai_applicability_scores.csv`` scores 785 SOC 2018 detailed occupations (its codes include
the SOC 2018-only 15-1252 Software Developers and 15-2051 Data Scientists), built from Bing
Copilot conversations mapped to O*NET 29.0 IWAs and rolled up with the BLS O*NET-to-SOC crosswalk.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from laborlens.sources.tabular import Col, check_unique, read_table

__all__ = ["read_ai_applicability"]


def read_ai_applicability(path: str | Path) -> pd.DataFrame:
    """AI applicability score per SOC 2018 code.

    Returns soc_2018_code, title, ai_applicability (0–1). Raises LayoutError on a missing
    column, a malformed code, a non-numeric score or a repeated code.
    """
    cols = [
        Col("SOC Code", "soc_2018_code", "soc"),
        Col("title", "title"),
        Col("ai_applicability_score", "ai_applicability", "float"),
    ]
    return check_unique(read_table(path, cols), ["soc_2018_code"], path)

"""State and metro-area tables from the OEWS May 2025 area estimates.

OEWS suppresses many area × occupation cells (confidentiality or quality); their employment is
in the area's all-occupations total but in no detailed row. Such employment is reported as
``employment_unpublished`` — uncovered, never dropped — so covered + unscored + unpublished
equals the published area total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from laborlens.impact.aggregate import GroupSpec, Units
from laborlens.impact.data import ImpactData

AREA_TYPES = ("state", "metro")


def area_specs(data: ImpactData, units: Units) -> list[GroupSpec]:
    """One :class:`GroupSpec` per area type (rows: areas; columns: the units' OEWS codes).

    Only meaningful for the ``crosswalk`` link, whose units are OEWS codes.
    """
    areas = data.areas()
    col = pd.Series(np.arange(len(units.frame)), index=units.frame["soc_code"].to_numpy())
    specs = []
    for kind in AREA_TYPES:
        a = areas[areas["area_type"] == kind]
        totals = a[a["o_group"] == "total"].sort_values("area_code")
        groups = totals[["area_code", "area_name", "state_abbr"]].reset_index(drop=True)
        row = pd.Series(np.arange(len(groups)), index=groups["area_code"].to_numpy())
        cells = a[(a["o_group"] == "detailed") & a["employment"].notna()]
        cells = cells[cells["soc_code"].isin(col.index) & cells["area_code"].isin(row.index)]
        e = np.zeros((len(groups), len(units.frame)))
        np.add.at(
            e,
            (row.loc[cells["area_code"]].to_numpy(), col.loc[cells["soc_code"]].to_numpy()),
            cells["employment"].to_numpy(),
        )
        specs.append(GroupSpec(kind, groups, e, totals["employment"].to_numpy(dtype="float64")))
    return specs

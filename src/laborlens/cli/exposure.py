"""``laborlens exposure``: train a model on labelled tasks, score any task list, evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from laborlens.cli._common import (
    MirrorOption,
    RawCsvOption,
    check_input_file,
    check_output_path,
    console,
    frame_table,
    handle_errors,
    out,
    out_print,
    progress_bar,
    settings_from,
)

app = typer.Typer(
    help="Exposure models: train on labelled tasks, score any task list, evaluate.",
    no_args_is_help=True,
)

TargetOption = Annotated[str, typer.Option(help="exposure (E0–E2) or automation (T0–T4)")]
ArchOption = Annotated[str, typer.Option(help="tfidf, tfidf-dwa, cnn, gru, minilm or minilm-ft")]


@app.command("train")
@handle_errors
def exposure_train(
    labels: Annotated[Path, typer.Option(help="Labelled tasks in the full_labelset.tsv layout")],
    out_dir: Annotated[
        Path, typer.Option("--output", "-o", "--out", help="Folder to save the model in")
    ],
    target: TargetOption = "exposure",
    arch: ArchOption = "tfidf",
    label_column: Annotated[
        str | None,
        typer.Option(
            help="Label column [default: human_exposure_agg for "
            "exposure, gpt4_automation for automation]"
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
) -> None:
    """Train a model on a labelled task file and save it.

    Example: laborlens exposure train --labels my_labels.tsv -o my_model
    """
    from laborlens.models.data import read_labels
    from laborlens.models.registry import get_arch

    frame = read_labels(labels, target, label_column)
    model = get_arch(arch)(target=target, random_state=seed)
    with console.status(f"training {arch} on {len(frame)} tasks …"):
        model.fit(frame[["task", "title"]], frame["label"], groups=frame["group"])
    model.save(out_dir)
    out_print(
        f"Saved the {arch} {target} model to {out_dir} "
        f"({len(frame)} tasks, {model.fit_seconds_:.0f} s)."
    )


@app.command("score")
@handle_errors
def exposure_score(
    input: Annotated[Path, typer.Option("--input", help="CSV/TSV with a Task column")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV, TSV or Parquet to write")],
    model: Annotated[
        Path | None, typer.Option(help="Model folder [default: the default exposure model]")
    ] = None,
    mirror: MirrorOption = None,
    precision: Annotated[
        int,
        typer.Option(
            min=0, max=17, help="Decimals kept in the probabilities and the score (3: the "
            "models are not accurate to more)"
        ),
    ] = 3,
    raw_csv: RawCsvOption = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Also add top_words (the words that moved each rating, + towards it, - away) "
            "and similar_tasks (the nearest human-labelled training tasks with their labels)",
        ),
    ] = False,
    neighbours: Annotated[int, typer.Option(help="Similar tasks listed with --explain")] = 3,
) -> None:
    """Rate every task in a file: adds the label, class probabilities and beta.

    Example: laborlens exposure score --input my_tasks.csv -o scored.csv

    Example: laborlens exposure score --input my_tasks.csv -o scored.parquet --precision 6

    Example: laborlens exposure score --input my_tasks.csv -o scored.csv --explain
    """
    from laborlens.io import write_table
    from laborlens.models.base import ExposureModel
    from laborlens.models.data import read_tasks_to_score
    from laborlens.models.default import ensure_default_model
    from laborlens.models.scoring import reliability_note, round_scores, score_frame

    check_output_path(output)
    check_input_file(input, "--input")
    frame = read_tasks_to_score(input)
    if model is None:
        fitted = ensure_default_model(settings_from(mirror=mirror), "exposure")
    else:
        fitted = ExposureModel.load(model)
    lower = {c.lower(): c for c in frame.columns}
    with progress_bar() as progress:
        scored = score_frame(
            fitted,
            frame,
            task_column=lower["task"],
            title_column=lower.get("title"),
            progress=progress,
        )
    scored = round_scores(scored, fitted.target, precision)
    if explain:
        import pandas as pd

        from laborlens.models.explain import explain as explain_rows
        from laborlens.models.explain import explain_columns

        X = pd.DataFrame({"task": frame[lower["task"]].to_numpy()})
        if "title" in lower:
            X["title"] = frame[lower["title"]].to_numpy()
        with console.status(f"explaining {len(X)} ratings …"):
            columns = explain_columns(explain_rows(fitted, X, neighbours=neighbours))
        scored = pd.concat([scored.reset_index(drop=True), columns], axis=1)
    write_table(scored, output, neutralize_formulas=not raw_csv)
    out_print(f"Scored {len(scored)} tasks into {output} (probabilities to {precision} decimals)")
    out_print(reliability_note(fitted.target, default_model=model is None))


@app.command("evaluate")
@handle_errors
def exposure_evaluate(
    labels: Annotated[Path, typer.Option(help="Labelled tasks in the full_labelset.tsv layout")],
    folds: Annotated[int, typer.Option(help="Occupation-grouped folds")] = 5,
    target: TargetOption = "exposure",
    arch: ArchOption = "tfidf",
    label_column: Annotated[str | None, typer.Option(help="Label column")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the fold assignment")] = 0,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the out-of-fold predictions here"),
    ] = None,
) -> None:
    """Occupation-grouped cross-validation, beside the GPT-4 labels' agreement.

    Example: laborlens exposure evaluate --labels my_labels.tsv --folds 5
    """
    from laborlens.io import write_table
    from laborlens.models.base import TARGETS
    from laborlens.models.data import read_labels
    from laborlens.models.evaluate import cross_validate

    check_output_path(output)
    frame = read_labels(labels, target, label_column)
    with progress_bar() as progress:
        result = cross_validate(
            frame, arch=arch, target=target, folds=folds, random_state=seed, progress=progress
        )
    shown = result.table().reset_index(names="metric")
    out.print(frame_table(shown, f"{folds}-fold occupation-grouped CV, {len(frame)} tasks"))
    mean_fit = sum(result.fit_seconds) / len(result.fit_seconds)
    out_print(f"training time per fold: {mean_fit:.1f} s")
    if output is not None:
        preds = frame[["group", "task_id", "task", "label"]].copy()
        for i, c in enumerate(TARGETS[target]):
            preds[f"p_{c}"] = result.proba[:, i]
        write_table(preds, output)

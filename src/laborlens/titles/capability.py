"""The titles capability: the job-title coder's index, embedding, prior and fitted weights."""

from laborlens.capability import Capability, Table

CAPABILITY = Capability(
    name="titles",
    title="Job titles and postings",
    tables=(
        Table(
            "title_index",
            "Job-title coder index: normalised O*NET occupation, alternate, short and reported "
            "titles per occupation",
        ),
        Table(
            "title_token_vectors",
            "Title coder's static embedding: every token of title_index with its IDF and MiniLM "
            "vector",
        ),
        Table(
            "title_occupation_prior",
            "Log prior of each occupation for the title coder (OEWS 2025 employment share)",
        ),
        Table(
            "title_coder_params",
            "Title coder weights, prior strength and temperature fitted on held-out alternate "
            "and reported titles, with the held-out accuracy and calibration error",
        ),
    ),
    build="laborlens.titles.index:build_title_tables",
)

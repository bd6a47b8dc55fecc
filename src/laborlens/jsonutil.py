"""One JSON policy for every output: strict JSON, no NaN, plain Python values."""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any


def clean_json(value: Any) -> Any:
    """Recursively: NaN, infinities and missing values → None; numpy/pandas scalars → Python;
    tuples → lists; timestamps → ISO text. The result is valid strict JSON."""
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    if value is None or isinstance(value, bool | str | int):
        return value
    if hasattr(value, "tolist") and not hasattr(value, "item"):  # numpy arrays
        return clean_json(value.tolist())
    if hasattr(value, "item"):  # numpy scalars
        with contextlib.suppress(ValueError, TypeError):
            value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a core dependency
        pass
    return value


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as strict JSON text (see :func:`clean_json`)."""
    return json.dumps(clean_json(value), indent=indent, allow_nan=False, default=str)


def records(frame) -> list[dict]:
    """A DataFrame's rows as JSON-ready dicts."""
    return clean_json(frame.to_dict("records"))

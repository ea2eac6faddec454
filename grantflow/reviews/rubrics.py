"""Review rubrics: data in ``forms/rubrics/<key>.v<N>.yaml``, checked strictly.

A rubric is read once at start-up and cached per (key, version). Each review
stores the key and version it was scored against, so publishing a new version
never changes an old review. Validation messages name the file and the
problem, because fund administrators edit these files by hand."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import current_app

EXTENSION_KEY = "grantflow.rubrics"
DEFAULT_COMMENT_THRESHOLD = 3


class RubricError(ValueError):
    """A rubric definition is invalid; ``str()`` names the file and the problem."""


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    weight: int
    guidance: str
    #: (value, short name, descriptor) for every level of the scale, lowest first
    levels: tuple[tuple[int, str, str], ...]
    comment_required_below: int

    @property
    def lowest(self) -> int:
        return self.levels[0][0]

    @property
    def highest(self) -> int:
        return self.levels[-1][0]

    def needs_comment(self, score: int | None) -> bool:
        return score is not None and score < self.comment_required_below


@dataclass(frozen=True)
class Rubric:
    key: str
    version: int
    title: str
    is_blind: bool
    criteria: tuple[Criterion, ...]
    #: (id, label) of the overall recommendation options
    recommendations: tuple[tuple[str, str], ...]
    source: str = ""

    @property
    def ident(self) -> tuple[str, int]:
        return (self.key, self.version)

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)

    def recommendation_label(self, recommendation_id: str | None) -> str:
        return dict(self.recommendations).get(recommendation_id, recommendation_id or "—")

    def weighted_score(self, scores: dict) -> float | None:
        """0-100: each criterion contributes its weight times how far up its
        scale the score sits (lowest level 0, highest level 1). None until
        every criterion is scored."""
        total = 0.0
        for criterion in self.criteria:
            score = scores.get(criterion.id)
            if score is None:
                return None
            span = criterion.highest - criterion.lowest
            total += criterion.weight * (int(score) - criterion.lowest) / span
        return round(total * 100 / sum(c.weight for c in self.criteria), 2)


@dataclass(frozen=True)
class Progress:
    scored: int
    total: int
    #: the criteria scored so far, weighted as in ``weighted_score`` (0-100 once all are scored)
    running: float


def progress(rubric: Rubric, scores: dict) -> Progress:
    """How far a review is: criteria scored and their weighted points so far."""
    weights = sum(c.weight for c in rubric.criteria)
    points, scored = 0.0, 0
    for criterion in rubric.criteria:
        score = scores.get(criterion.id)
        if not _is_int(score) or not criterion.lowest <= score <= criterion.highest:
            continue
        scored += 1
        points += criterion.weight * (int(score) - criterion.lowest) / (criterion.highest - criterion.lowest)
    return Progress(scored, len(rubric.criteria), round(points * 100 / weights, 1))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse(data, source: str = "<string>") -> Rubric:
    def fail(message: str):
        raise RubricError(f"{source}: {message}")

    if not isinstance(data, dict):
        fail("the file must be a mapping with key, version, criteria and recommendations")
    for required in ("key", "version", "criteria", "recommendations"):
        if required not in data:
            fail(f"missing '{required}'")
    if not _is_int(data["version"]) or data["version"] < 1:
        fail("'version' must be a whole number of at least 1")
    if "blind" in data and not isinstance(data["blind"], bool):
        fail("'blind' must be true or false")
    scale = data.get("scale") or {}
    if not isinstance(scale, dict) or not scale or not all(_is_int(v) for v in scale):
        fail("'scale' must map whole-number levels to short names, for example 1: Poor ... 5: Excellent")
    values = sorted(scale)
    if len(values) < 2 or values != list(range(values[0], values[-1] + 1)):
        fail(f"the scale's levels must be at least two consecutive whole numbers (got {values})")
    default_threshold = data.get("comment_required_below", DEFAULT_COMMENT_THRESHOLD)
    if not _is_int(default_threshold):
        fail("'comment_required_below' must be a whole number")

    criteria_data = data["criteria"]
    if not isinstance(criteria_data, list) or not criteria_data:
        fail("'criteria' must be a non-empty list")
    criteria: list[Criterion] = []
    for index, spec in enumerate(criteria_data, start=1):
        if not isinstance(spec, dict) or not spec.get("id"):
            fail(f"criterion #{index} must be a mapping with an 'id'")
        cid = str(spec["id"])
        where = f"criterion '{cid}'"
        if not cid.isidentifier():
            fail(f"{where}: the id may use only letters, digits and underscores")
        if any(c.id == cid for c in criteria):
            fail(f"{where} is defined twice")
        if not spec.get("label"):
            fail(f"{where} has no 'label'")
        weight = spec.get("weight")
        if not _is_int(weight) or weight <= 0:
            fail(f"{where}: 'weight' must be a whole number above 0 (got {weight!r})")
        levels = spec.get("levels") or {}
        if not isinstance(levels, dict) or sorted(levels) != values:
            fail(f"{where}: 'levels' must describe every level of the scale ({values[0]} to {values[-1]}), "
                 f"got {sorted(levels) if isinstance(levels, dict) else levels!r}")
        if not all(isinstance(text, str) and text.strip() for text in levels.values()):
            fail(f"{where}: every level needs a written descriptor")
        threshold = spec.get("comment_required_below", default_threshold)
        if not _is_int(threshold) or not values[0] <= threshold <= values[-1] + 1:
            fail(f"{where}: 'comment_required_below' must be between {values[0]} and {values[-1] + 1}")
        criteria.append(Criterion(
            id=cid, label=str(spec["label"]), weight=weight, guidance=str(spec.get("guidance", "")).strip(),
            levels=tuple((v, str(scale[v]), str(levels[v]).strip()) for v in values),
            comment_required_below=threshold,
        ))
    total_weight = sum(c.weight for c in criteria)
    if total_weight != 100:
        fail(f"the criteria's weights must sum to 100 (they sum to {total_weight})")

    recommendations = data["recommendations"]
    if not isinstance(recommendations, list) or not recommendations:
        fail("'recommendations' must be a non-empty list of options with an id and a label")
    options: list[tuple[str, str]] = []
    for index, spec in enumerate(recommendations, start=1):
        if not isinstance(spec, dict) or not spec.get("id") or not spec.get("label"):
            fail(f"recommendation #{index} needs an 'id' and a 'label'")
        if any(rid == spec["id"] for rid, _ in options):
            fail(f"recommendation '{spec['id']}' is defined twice")
        options.append((str(spec["id"]), str(spec["label"])))

    return Rubric(key=str(data["key"]), version=data["version"], title=str(data.get("title", data["key"])),
                  is_blind=bool(data.get("blind", False)), criteria=tuple(criteria),
                  recommendations=tuple(options), source=source)


def load_file(path: Path | str) -> Rubric:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricError(f"{path}: cannot read the file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RubricError(f"{path}: YAML syntax error{where}: {getattr(exc, 'problem', None) or exc}") from exc
    rubric = parse(data, source=str(path))
    expected = f"{rubric.key}.v{rubric.version}.yaml"
    if path.name != expected:
        raise RubricError(f"{path}: a rubric with key '{rubric.key}' and version {rubric.version} "
                          f"must be in a file named {expected}")
    return rubric


def load_directory(directory: Path | str) -> dict[tuple[str, int], Rubric]:
    found: dict[tuple[str, int], Rubric] = {}
    directory = Path(directory)
    if directory.is_dir():
        for path in sorted(directory.glob("*.yaml")):
            rubric = load_file(path)
            found[rubric.ident] = rubric
    return found


def check_rubric_file(path: Path | str) -> list[str]:
    """The problems of one rubric file (empty: valid). Pure: no app needed;
    registered as the checker of ``forms/rubrics/`` for ``grantflow forms check``."""
    try:
        load_file(path)
    except RubricError as exc:
        return [str(exc)]
    return []


def init_app(app) -> None:
    """Load and validate every rubric; an invalid one stops start-up."""
    app.extensions[EXTENSION_KEY] = load_directory(Path(app.config["FORMS_DIR"]) / "rubrics")


def all_rubrics() -> dict[tuple[str, int], Rubric]:
    return current_app.extensions[EXTENSION_KEY]


def get_rubric(key: str, version: int | None = None) -> Rubric:
    """The given version, or the latest one of ``key`` (what a new review uses)."""
    rubrics = all_rubrics()
    if version is not None:
        try:
            return rubrics[(key, version)]
        except KeyError:
            raise RubricError(f"no rubric '{key}' version {version} in forms/rubrics/") from None
    versions = [r for (k, _), r in rubrics.items() if k == key]
    if not versions:
        raise RubricError(f"no rubric '{key}' in forms/rubrics/ (the round's rubric key)")
    return max(versions, key=lambda r: r.version)


def latest_rubrics() -> dict[str, Rubric]:
    """key -> its latest version (what a round can choose)."""
    latest: dict[str, Rubric] = {}
    for (key, version), rubric in all_rubrics().items():
        if key not in latest or version > latest[key].version:
            latest[key] = rubric
    return latest


def rubric_name(key: str, version: int | None = None) -> str:
    """How pages name a rubric: its title and version, not its file key."""
    rubric = all_rubrics().get((key, version)) if version else latest_rubrics().get(key)
    if rubric is None:
        return f"{key} (no longer installed)"
    return f"{rubric.title}, version {rubric.version}" + ("" if version else " (the newest)")

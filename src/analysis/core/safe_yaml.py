"""coopreport's YAML files (params files, ``data/sources.yaml``), read safely.

They are small hand-written files, so the reader is bounded: at most :data:`MAX_YAML_BYTES`,
nested at most :data:`MAX_YAML_DEPTH` levels, no repeated keys and no aliases (``*name``, so no
``<<`` merge keys either). A hostile or broken file (a "billion laughs" alias bomb, a huge or
endlessly nested file, a device instead of a file) is refused before it costs memory or time,
with the file and line in the message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from analysis.core.errors import ParameterError, show_text, show_value

MAX_YAML_BYTES = 256 * 1024
MAX_YAML_DEPTH = 20


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader for params files: no repeated keys, no aliases, bounded nesting.

    Aliases (``*name``) are refused outright: a params file never needs one, and they are what
    makes a "billion laughs" file expand to gigabytes. Anchors alone are harmless and ignored.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[no-untyped-call]
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, f"alias *{show_text(event.anchor)}: coopreport's YAML files (params "
                "files, data/sources.yaml) may not use aliases (*name) or merge keys (<<); "
                "write the value out in full",
                event.start_mark)
        collection = self.check_event(  # type: ignore[no-untyped-call]
            yaml.SequenceStartEvent, yaml.MappingStartEvent)
        self._depth += collection
        try:
            if self._depth > MAX_YAML_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep; these files "
                    "hold a few keys and simple lists", event.start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self._depth -= collection


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {show_value(key)} appears twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)


def read_yaml(path: Path, what: str = "params file") -> Any:
    """Parse one of coopreport's YAML files (a params file, ``data/sources.yaml``); errors
    name the file, line and what is wrong.

    The file may be at most :data:`MAX_YAML_BYTES` long and nested at most
    :data:`MAX_YAML_DEPTH` levels deep, and may not use YAML aliases (see
    :class:`_UniqueKeyLoader`), so a hostile file is refused at once instead of expanding.
    ``what`` names the kind of file in messages.

    Raises
    ------
    ParameterError
        When the file cannot be read, is too large, or is not valid (bounded) YAML.
    """
    try:
        with path.open("rb") as handle:  # read a bounded amount: the path may be a device
            raw = handle.read(MAX_YAML_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path}: cannot read the {what} ({exc})") from exc
    if len(raw) > MAX_YAML_BYTES:
        raise ParameterError(f"{path}: the {what} is larger than {MAX_YAML_BYTES // 1024} "
                             "KiB; it holds a few keys (put data in a registry file and point "
                             "to it)")
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParameterError(f"{path}{where}: invalid YAML: {problem}") from exc
    except ValueError as exc:  # e.g. an integer beyond Python's 4300-digit limit
        raise ParameterError(f"{path}: invalid YAML: a value cannot be read "
                             f"({show_text(str(exc))}); write it as a quoted string") from exc

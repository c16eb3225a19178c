"""CloudFormation YAML from plain data: dicts and lists, with the short tags (`!Ref`, `!Sub`, ...)
kept readable, and a comment above any top-level resource.

Generation only (PyYAML, a dev dependency); never imported on the Lambda path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

WIDTH = 100


@dataclass(frozen=True)
class Tag:
    """A CloudFormation intrinsic in short form: `!Ref X`, `!If [c, a, b]`."""

    name: str
    value: Any


def ref(name: str) -> Tag:
    return Tag("Ref", name)


def sub(text: str, variables: Mapping[str, Any] | None = None) -> Tag:
    return Tag("Sub", text if variables is None else [text, dict(variables)])


def get_att(target: str) -> Tag:
    return Tag("GetAtt", target)


def if_(condition: str, when_true: Any, when_false: Any) -> Tag:
    return Tag("If", [condition, when_true, when_false])


def equals(left: Any, right: Any) -> Tag:
    return Tag("Equals", [left, right])


def not_(condition: Any) -> Tag:
    return Tag("Not", [condition])


def and_(*conditions: Any) -> Tag:
    return Tag("And", list(conditions))


def condition(name: str) -> Tag:
    return Tag("Condition", name)


NO_VALUE = ref("AWS::NoValue")


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Lists indented under their key, as people write CloudFormation.
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a repeated value is written again, never as an &anchor / *alias

    def choose_scalar_style(self) -> str:
        # PyYAML quotes every scalar with an explicit tag; `!Ref Name` needs no quotes.
        event = self.event
        assert isinstance(event, yaml.ScalarEvent)
        analysis = self.analysis or self.analyze_scalar(event.value)
        plain_ok = analysis.allow_flow_plain if self.flow_level else analysis.allow_block_plain
        if event.tag and event.tag.startswith("!") and not event.style and plain_ok:
            return ""
        return str(super().choose_scalar_style())


def _flow_width(item: Any) -> int:
    """About how wide `item` is on one line."""
    if isinstance(item, Tag):
        return len(item.name) + 2 + _flow_width(item.value)
    if isinstance(item, list):
        return 2 + sum(_flow_width(i) + 2 for i in item)
    return len(str(item)) + 2


def _is_flat(items: list[Any]) -> bool:
    """Short lists of scalars and scalar tags read best on one line: `[a, b]`, `!If [c, x, y]`."""
    return (
        _flow_width(items) < 72
        and all(
            not isinstance(i, (dict, list))
            and not (isinstance(i, Tag) and isinstance(i.value, dict))
            for i in items
        )
        and all(
            not isinstance(i, Tag) or not isinstance(i.value, list) or _is_flat(i.value)
            for i in items
        )
    )


def _represent_tag(dumper: _Dumper, tag: Tag) -> yaml.Node:
    name = f"!{tag.name}"
    if isinstance(tag.value, list):
        return dumper.represent_sequence(name, tag.value, flow_style=_is_flat(tag.value))
    if isinstance(tag.value, dict):
        return dumper.represent_mapping(name, tag.value)
    return dumper.represent_scalar(name, str(tag.value))


def _represent_list(dumper: _Dumper, items: list[Any]) -> yaml.Node:
    return dumper.represent_sequence(
        "tag:yaml.org,2002:seq", items, flow_style=bool(items) and _is_flat(items)
    )


def _represent_str(dumper: _Dumper, text: str) -> yaml.Node:
    # Long prose (descriptions) as a folded block, as a person would write it.
    style = ">" if len(text) > 80 and " " in text and "${" not in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(Tag, _represent_tag)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


_KEY = re.compile(r"(?P<indent> *)(?P<item>- )?(?P<key>[^\s#'\"-][^#]*?):(?: |$)")


def dump(template: Mapping[str, Any], *, header: str = "", comments: Mapping[str, str] = {}) -> str:
    """YAML text of `template`. `header` lines become leading comments; `comments[path]` is written
    above the key at that dotted path (`Resources.DataFunction.Properties.Timeout`): the reason a
    reader needs, next to the value it explains. Each resource and section is set apart."""
    text = yaml.dump(
        dict(template),
        Dumper=_Dumper,
        sort_keys=False,
        width=WIDTH,
        allow_unicode=True,
        default_flow_style=False,
    )
    lines: list[str] = [f"# {line}".rstrip() for line in header.splitlines()]
    path: list[tuple[int, str]] = []  # (indent, key) of the mapping keys above this line
    placed: set[str] = set()
    value_indent = -1  # a scalar value that started on a key's line continues deeper than this
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip(" "))
        match = None if 0 <= value_indent < depth else _KEY.match(line)
        if value_indent >= 0 and depth <= value_indent:
            value_indent = -1
        if match:
            if not line.endswith(":"):
                value_indent = len(match["indent"]) + (2 if match["item"] else 0)
            indent = len(match["indent"]) + (2 if match["item"] else 0)
            while path and path[-1][0] >= indent:
                path.pop()
            path.append((indent, match["key"]))
            keys = [key for _, key in path]
            if len(keys) == 1 and lines and keys[0] in ("Parameters", "Conditions", "Outputs"):
                lines.append("")
            if len(keys) == 2 and keys[0] == "Resources" and not lines[-1].startswith("Res"):
                lines.append("")
            comment = comments.get(".".join(keys), "")
            if comment:
                placed.add(".".join(keys))
            lines += [f"{match['indent']}# {c}".rstrip() for c in comment.splitlines()]
        lines.append(line)
    if set(comments) - placed:  # a renamed key must not silently lose its reason
        raise ValueError(f"comments for no key: {sorted(set(comments) - placed)}")
    return "\n".join(lines) + "\n"

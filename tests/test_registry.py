"""The generic name registry shared by every family of gradlab objects."""

from __future__ import annotations

import pytest

from gradlab.registry import Registry, normalize_name


def _colours() -> Registry[str]:
    reg: Registry[str] = Registry("colour")
    reg.add("light_blue", "LB", aliases=("sky",))
    reg.add("red", "R")
    return reg


def test_lookup_by_name_alias_and_lenient_spelling() -> None:
    reg = _colours()
    assert reg.lookup("light_blue") == "LB"
    assert reg.lookup("LightBlue") == "LB"
    assert reg.lookup("light-blue") == "LB"
    assert reg.lookup("SKY") == "LB"
    assert reg.canonical("sky") == "light_blue"
    assert reg.names() == ["light_blue", "red"]
    assert reg.aliases("light_blue") == ("sky",)
    assert "Sky" in reg and "green" not in reg and 3 not in reg
    assert len(reg) == 2 and list(reg) == ["light_blue", "red"]


def test_unknown_name_message_names_kind_input_suggestion_and_list() -> None:
    with pytest.raises(ValueError) as err:
        _colours().lookup("lightblu")
    msg = str(err.value)
    assert msg.startswith("unknown colour 'lightblu'; did you mean 'light_blue'?")
    assert msg.endswith("known: light_blue, red")
    with pytest.raises(ValueError, match=r"^unknown colour 'zzz'; known: light_blue, red$"):
        _colours().lookup("zzz")


def test_duplicate_names_are_refused() -> None:
    reg = _colours()
    with pytest.raises(ValueError, match="already taken by 'light_blue'"):
        reg.add("Light-Blue", "X")
    with pytest.raises(ValueError, match="'sky' is already taken"):
        reg.add("azure", "A", aliases=("sky",))
    assert reg.names() == ["light_blue", "red"]


def test_non_string_name_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="colour name must be a str, got int"):
        _colours().lookup(3)  # type: ignore[arg-type]


def test_register_decorator_returns_the_class() -> None:
    reg: Registry[type] = Registry("thing")

    @reg.register("widget", aliases=("gadget",))
    class Widget:
        pass

    assert reg.lookup("gadget") is Widget
    assert normalize_name("Hard_Swish") == "hardswish"

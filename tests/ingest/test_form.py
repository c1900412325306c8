"""Form bodies decode as the standard library's parse_qsl would; repeats and floods are refused."""

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.ingest.request import MAX_FIELDS, BadRequest, FormFields, TooManyFields

# Percent escapes (valid, truncated, non-UTF-8), separators and plus signs, mixed with text.
form_text = st.lists(
    st.sampled_from(["%", "%2", "%41", "%e2%82%ac", "%FF", "%C3", "+", "&", "=", ";", "#", "?"])
    | st.text(max_size=8),
    max_size=40,
).map("".join)


def assert_decodes_as_parse_qsl(text: str) -> None:
    expected = parse_qsl(text, keep_blank_values=True)
    if len({name for name, _ in expected}) < len(expected):
        with pytest.raises(BadRequest, match="is sent more than once"):
            FormFields.decode(text)
        return
    assert FormFields.decode(text) == dict(expected)


@given(form_text)
def test_any_text_decodes_as_parse_qsl_does(text: str) -> None:
    assert_decodes_as_parse_qsl(text)


@given(st.dictionaries(st.text(), st.text(), max_size=10))
def test_encoded_fields_decode_as_parse_qsl_does(fields: dict[str, str]) -> None:
    assert_decodes_as_parse_qsl(urlencode(fields))


def test_a_repeated_name_is_refused_and_named() -> None:
    with pytest.raises(BadRequest, match=r"^form field 'To' is sent more than once$"):
        FormFields.decode("To=%2B1555&Body=a+b&To=%2B1666")


def test_more_fields_than_the_cap_are_refused_before_anything_else() -> None:
    text = "&".join(f"f{i}=x" for i in range(MAX_FIELDS)) + "&f0=again"

    with pytest.raises(TooManyFields, match=f"^more than {MAX_FIELDS} form fields$"):
        FormFields.decode(text)


def test_as_many_fields_as_the_cap_are_decoded() -> None:
    text = "&".join(f"f{i}=x" for i in range(MAX_FIELDS))

    assert len(FormFields.decode(text)) == MAX_FIELDS

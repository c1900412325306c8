"""Form bodies decode exactly as the standard library's parse_qsl would decode them."""

from urllib.parse import parse_qsl, urlencode

from hypothesis import given
from hypothesis import strategies as st

from notifier.ingest.request import FormFields

# Percent escapes (valid, truncated, non-UTF-8), separators and plus signs, mixed with text.
form_text = st.lists(
    st.sampled_from(["%", "%2", "%41", "%e2%82%ac", "%FF", "%C3", "+", "&", "=", ";", "#", "?"])
    | st.text(max_size=8),
    max_size=40,
).map("".join)


def assert_decodes_as_parse_qsl(text: str) -> None:
    expected = parse_qsl(text, keep_blank_values=True)
    fields = FormFields.decode(text)
    assert fields == dict(expected)
    for name in fields:
        assert fields.getall(name) == [value for key, value in expected if key == name]


@given(form_text)
def test_any_text_decodes_as_parse_qsl_does(text: str) -> None:
    assert_decodes_as_parse_qsl(text)


@given(st.lists(st.tuples(st.text(), st.text()), max_size=10))
def test_encoded_fields_decode_as_parse_qsl_does(pairs: list[tuple[str, str]]) -> None:
    assert_decodes_as_parse_qsl(urlencode(pairs))


def test_a_repeated_name_keeps_every_value_and_the_last_wins() -> None:
    fields = FormFields.decode("To=%2B1555&To=%2B1666&Body=a+b")
    assert fields["To"] == "+1666"
    assert fields.getall("To") == ["+1555", "+1666"]
    assert fields["Body"] == "a b"

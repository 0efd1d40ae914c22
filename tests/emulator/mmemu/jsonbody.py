"""Request-body decoding that follows Go's encoding/json as Mattermost uses it,
and response encoding like Go's json.Encoder.

* model.MapFromJSON (§1.1): the body is decoded into map[string]string.  A
  syntax error or a non-object top-level value leaves an empty map; a
  non-string value inside the object gives that key the empty string (Go
  records an UnmarshalTypeError, stores the zero value and carries on).
* model.StringInterfaceFromJSON: map[string]any, empty on any error.
* json.NewDecoder(r.Body).Decode(&structValue): syntax errors, EOF and type
  mismatches are errors (the handlers answer 400); unknown keys are ignored;
  keys match struct tags case-insensitively (exact match preferred); a JSON
  null gives the zero struct.  Patch structs (pointer fields) keep only the
  keys that are present and not null (decode_patch).
Only the first JSON value of the body is read (Decoder semantics).
"""
import json


class BodyError(ValueError):
    pass


def _reject_constant(name):
    raise ValueError("invalid JSON constant %s" % name)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def first_value(body: bytes):
    """Decode the first JSON value of body (Go Decoder.Decode); BodyError if none."""
    text = body.decode("utf-8", errors="replace")
    i = 0
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    if i >= len(text):
        raise BodyError("EOF")
    try:
        value, _ = _DECODER.raw_decode(text, i)
    except ValueError as exc:
        raise BodyError(str(exc)) from None
    return value


def map_from_json(body: bytes) -> dict:
    """model.MapFromJSON → dict[str, str]."""
    try:
        value = first_value(body)
    except BodyError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {k: (v if isinstance(v, str) else "") for k, v in value.items()}


def string_interface_from_json(body: bytes) -> dict:
    """model.StringInterfaceFromJSON → dict (empty on error)."""
    try:
        value = first_value(body)
    except BodyError:
        return {}
    return value if isinstance(value, dict) else {}


def _type_ok(kind, v):
    if v is None:
        return True  # null leaves the zero value
    if kind == "str":
        return isinstance(v, str)
    if kind == "bool":
        return isinstance(v, bool)
    if kind == "int":
        return isinstance(v, int) and not isinstance(v, bool) and -(2**63) <= v < 2**63
    if kind == "strmap":
        return isinstance(v, dict) and all(isinstance(x, str) or x is None for x in v.values())
    if kind == "strlist":
        return isinstance(v, list) and all(isinstance(x, str) for x in v)
    if kind == "any":
        return True
    raise AssertionError(kind)


_ZERO = {"str": "", "bool": False, "int": 0, "strmap": None, "strlist": None, "any": None}


def decode_struct(body: bytes, fields: dict) -> dict:
    """Decode into a 'struct' described by {json_tag: kind}.  Returns a dict
    with every field (zero values where absent).  Raises BodyError like Go."""
    value = first_value(body)
    out = {name: _ZERO[kind] for name, kind in fields.items()}
    if value is None:
        return out
    if not isinstance(value, dict):
        raise BodyError("cannot unmarshal %s into struct" % type(value).__name__)
    lower = {name.lower(): name for name in fields}
    type_error = None
    for key, v in value.items():
        name = key if key in fields else lower.get(key.lower())
        if name is None:
            continue
        kind = fields[name]
        if not _type_ok(kind, v):
            type_error = type_error or "json: cannot unmarshal into field %s" % name
            continue
        if v is None:
            continue
        if kind == "strmap":
            v = {k: (x if x is not None else "") for k, x in v.items()}
        out[name] = v
    if type_error:
        raise BodyError(type_error)
    return out


def decode_patch(body: bytes, fields: dict) -> dict:
    """Decode into a 'patch struct' of pointer fields (model.UserPatch):
    only the fields present and not null are returned.  Errors as decode_struct."""
    value = first_value(body)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BodyError("cannot unmarshal %s into struct" % type(value).__name__)
    lower = {name.lower(): name for name in fields}
    out = {}
    for key, v in value.items():
        name = key if key in fields else lower.get(key.lower())
        if name is None or v is None:
            continue
        if not _type_ok(fields[name], v):
            raise BodyError("json: cannot unmarshal into field %s" % name)
        out[name] = v
    return out


def go_json(obj, newline=True) -> bytes:
    """Serialise like Go's json.Encoder: UTF-8, HTML characters escaped,
    U+2028/U+2029 escaped, trailing newline."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    if newline:
        text += "\n"
    return text.encode("utf-8")

"""A small FastCGI client (FastCGI 1.0 specification) for talking to the
bridge's socket directly, without nginx or Caddy: well-formed requests
with any parameter set, and malformed or hostile records (table D of
peers-and-attacks.md)."""

import socket
import struct

FCGI_BEGIN_REQUEST = 1
FCGI_END_REQUEST = 3
FCGI_PARAMS = 4
FCGI_STDIN = 5
FCGI_STDOUT = 6
FCGI_STDERR = 7
FCGI_RESPONDER = 1


def record(rtype, rid, content, padding=0):
    return struct.pack(">BBHHBB", 1, rtype, rid, len(content), padding, 0) + content + b"\0" * padding


def nv_length(n):
    return struct.pack("B", n) if n < 128 else struct.pack(">I", n | 0x80000000)


def nv(name, value):
    if isinstance(name, str):
        name = name.encode()
    if isinstance(value, str):
        value = value.encode()
    return nv_length(len(name)) + nv_length(len(value)) + name + value


def chunks(data, size=65535):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def connect(path, timeout=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def begin(rid=1, keep=False):
    return record(FCGI_BEGIN_REQUEST, rid, struct.pack(">HB5x", FCGI_RESPONDER, 1 if keep else 0))


def params_records(params, rid=1):
    body = b"".join(nv(k, v) for k, v in params.items())
    out = b"".join(record(FCGI_PARAMS, rid, c) for c in chunks(body))
    return out + record(FCGI_PARAMS, rid, b"")


def stdin_records(data, rid=1):
    return b"".join(record(FCGI_STDIN, rid, c) for c in chunks(data)) + record(FCGI_STDIN, rid, b"")


def read_all(s):
    out = b""
    while True:
        try:
            d = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not d:
            break
        out += d
    return out


def read_one(s):
    """Reads one reply on a kept connection (FCGI_KEEP_CONN): records up
    to and including FCGI_END_REQUEST; b"" if the peer closed first."""
    raw = b""
    while True:
        i = 0
        while i + 8 <= len(raw):
            _, rtype, _, clen, plen, _ = struct.unpack(">BBHHBB", raw[i:i + 8])
            if i + 8 + clen + plen > len(raw):
                break
            i += 8 + clen + plen
            if rtype == FCGI_END_REQUEST:
                return raw[:i]
        d = s.recv(65536)
        if not d:
            return b""
        raw += d


def parse_records(raw):
    """Returns (stdout bytes, stderr bytes, got_end_request)."""
    out, err, end = b"", b"", False
    i = 0
    while i + 8 <= len(raw):
        _, rtype, _, clen, plen, _ = struct.unpack(">BBHHBB", raw[i:i + 8])
        content = raw[i + 8:i + 8 + clen]
        if rtype == FCGI_STDOUT:
            out += content
        elif rtype == FCGI_STDERR:
            err += content
        elif rtype == FCGI_END_REQUEST:
            end = True
        i += 8 + clen + plen
    return out, err, end


class Reply:
    def __init__(self, raw):
        self.raw = raw
        out, self.stderr, self.ended = parse_records(raw)
        head, _, self.body = out.partition(b"\r\n\r\n")
        self.headers = []
        self.status = 0
        for line in head.split(b"\r\n"):
            k, _, v = line.decode("latin-1").partition(":")
            v = v.strip()
            self.headers.append((k, v))
            if k.lower() == "status":
                self.status = int(v.split()[0])

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def header(self, name):
        v = self.all(name)
        return v[0] if v else None


def base_params(path="/auth/open", query="", method="GET", script_name=None, path_info=None, **extra):
    p = {"REQUEST_METHOD": method, "QUERY_STRING": query, "REQUEST_URI": path + ("?" + query if query else ""),
         "DOCUMENT_URI": path, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
         "SERVER_NAME": "chat.example", "SERVER_PORT": "80", "GATEWAY_INTERFACE": "CGI/1.1"}
    if script_name is not None:
        p["SCRIPT_NAME"] = script_name
    else:
        p["SCRIPT_NAME"] = path
    if path_info is not None:
        p["PATH_INFO"] = path_info
    p.update(extra)
    return p


def request(sock_path, params, body=b"", timeout=15):
    s = connect(sock_path, timeout)
    try:
        s.sendall(begin() + params_records(params) + stdin_records(body))
        return Reply(read_all(s))
    finally:
        s.close()

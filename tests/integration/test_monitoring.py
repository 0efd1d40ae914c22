"""The shipped monitoring files against the bridge that exports the metrics:
the Prometheus rules (etc/prometheus/chat-bridge.rules.yml) and the Grafana
dashboard (etc/grafana/chat-bridge-dashboard.json).

Without a stack: the dashboard is well-formed Grafana JSON (a datasource
variable every query uses, unique panel ids, panels inside the 24-column
grid and not overlapping); every PromQL expression of the dashboard parses
(promtool check rules over them); the reason and outcome values the rules
and the dashboard match are the bridge's (src/core/err.c); every runbook_url
names an existing section of the guide.

With the real stack (nginx, database mode): /auth/metrics before and after
/auth/ready (the readiness metrics hold the last check, also a failing
one), and every metric name the rules and the dashboard use is exported
(histograms by their _bucket/_sum/_count series), is a recording rule of
the rules file, or is Prometheus' own (up, ALERTS); every metric the bridge
exports is on the dashboard.

Environment: CB_FRONT=nginx|caddy, CB_BRIDGE=path.
Run: /usr/bin/python3 -m unittest test_monitoring
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from stack import ROOT, Stack, new_ulid  # noqa: E402

FRONT = os.environ.get("CB_FRONT", "nginx")
RULES = os.path.join(ROOT, "etc", "prometheus", "chat-bridge.rules.yml")
DASHBOARD = os.path.join(ROOT, "etc", "grafana", "chat-bridge-dashboard.json")

# Series Prometheus makes itself: the scrape's health and the alerts' state.
PROMETHEUS_OWN = {"up", "ALERTS", "ALERTS_FOR_STATE"}
# A reason another change adds (duplicate link); the rules already match it.
PENDING_REASONS = {"link_conflict"}
# Grafana's variables, replaced by something PromQL accepts for the syntax check.
GRAFANA_VARS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "$job": ".+", "$instance": ".+"}

AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                "bottomk", "topk", "quantile"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
            "and", "or", "unless", "inf", "nan"}


def metric_names(expr):
    """The metric names a PromQL expression selects (functions, aggregations,
    keywords, label names, strings, durations and Grafana variables left out)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    e = re.sub(r"'(?:[^'\\]|\\.)*'", "''", e)
    e = re.sub(r"\{[^}]*\}", " ", e)                 # label matchers
    e = re.sub(r"\[[^\]]*\]", " ", e)                # ranges, subqueries
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\boffset\s+-?[0-9a-z]+", " ", e)
    e = re.sub(r"\$\{?\w+\}?", " ", e)               # Grafana variables
    names = set()
    for m in re.finditer(r"(?<![\w:.])([A-Za-z_:][\w:]*)(\s*\()?", e):
        word, call = m.group(1), m.group(2)
        if call or word in AGGREGATIONS or word.lower() in KEYWORDS:
            continue
        names.add(word)
    return names


def label_values(expr, label):
    """The values (or regular expressions) expr matches label with, and the operator."""
    return [(op, v) for op, v in re.findall(r'\b%s\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"' % label, expr)]


def slug(heading):
    """GitHub's anchor for a Markdown heading."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def load_rules():
    with open(RULES) as f:
        return [r for g in yaml.safe_load(f)["groups"] for r in g["rules"]]


def load_dashboard():
    with open(DASHBOARD) as f:
        return json.load(f)


def all_panels(d):
    for p in d["panels"]:
        yield p
        for q in p.get("panels", []):
            yield q


def dashboard_exprs(d):
    """Every PromQL expression of the dashboard: panel targets and the
    selectors inside the variables' label_values() queries."""
    out = []
    for p in all_panels(d):
        for t in p.get("targets", []):
            out.append(("panel %r %s" % (p["title"], t["refId"]), t["expr"]))
    for v in d["templating"]["list"]:
        if v["type"] == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            m = re.fullmatch(r"label_values\((.*),\s*\w+\)", q)
            assert m, "variable %s: not label_values(SELECTOR, LABEL): %s" % (v["name"], q)
            out.append(("variable %s" % v["name"], m.group(1)))
    return out


def known_reasons():
    with open(os.path.join(ROOT, "src", "core", "err.c")) as f:
        return set(re.findall(r'\[CB_\w+\]\s*=\s*\{"(\w+)"', f.read())) | PENDING_REASONS


def exported(text):
    """The series names /auth/metrics exports (a histogram's _bucket, _sum and
    _count), from its # TYPE lines; and the samples, by name and labels."""
    names, samples = set(), {}
    for line in text.splitlines():
        m = re.fullmatch(r"# TYPE (\w+) (counter|gauge|histogram|summary|untyped)", line)
        if m:
            n, kind = m.groups()
            names |= {n + "_bucket", n + "_sum", n + "_count"} if kind == "histogram" else {n}
            continue
        if line.startswith("#") or not line:
            continue
        m = re.fullmatch(r'([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)', line)
        assert m, "not a sample line: %r" % line
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return names, samples


class Static(unittest.TestCase):
    """The files themselves."""

    def test_extractor(self):
        # The name extraction the other tests rely on.
        self.assertEqual(metric_names('histogram_quantile(0.99, sum by (job, le) (rate(a_bucket{le!="x"}[5m])))'),
                         {"a_bucket"})
        self.assertEqual(metric_names('(b unless b offset 10m and on (job, instance) c{reason="ok"} offset 10m) '
                                      'or increase(b[10m])'), {"b", "c"})
        self.assertEqual(metric_names('x:y:z{a=~"$job"} / on (job) group_left w > 0.05 and time() - t > 3e2'),
                         {"x:y:z", "w", "t"})
        self.assertEqual(metric_names('sum(rate(s_sum{job=~"$job"}[$__rate_interval])) / count(u)'), {"s_sum", "u"})

    def test_dashboard_is_grafana_json(self):
        d = load_dashboard()
        for key in ("title", "uid", "schemaVersion", "panels", "templating", "time"):
            self.assertIn(key, d)
        self.assertIsInstance(d["schemaVersion"], int)
        variables = {v["name"]: v for v in d["templating"]["list"]}
        self.assertEqual(variables["datasource"]["type"], "datasource")
        self.assertEqual(variables["datasource"]["query"], "prometheus")
        ds = {"type": "prometheus", "uid": "${datasource}"}
        ids, cells = set(), {}
        for p in all_panels(d):
            self.assertNotIn(p["id"], ids, "panel ids are unique")
            ids.add(p["id"])
            self.assertTrue(p.get("title"), p)
            g = p["gridPos"]
            for k in ("h", "w", "x", "y"):
                self.assertIsInstance(g[k], int, p["title"])
            self.assertLessEqual(g["x"] + g["w"], 24, "%s: inside the 24-column grid" % p["title"])
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    self.assertNotIn((x, y), cells, "%s overlaps %s" % (p["title"], cells.get((x, y))))
                    cells[(x, y)] = p["title"]
            if p["type"] == "row":
                continue
            self.assertEqual(p["datasource"], ds, p["title"])
            self.assertTrue(p["targets"], p["title"])
            refs = [t["refId"] for t in p["targets"]]
            self.assertEqual(len(refs), len(set(refs)), p["title"])
            for t in p["targets"]:
                self.assertEqual(t["datasource"], ds, p["title"])
                self.assertTrue(t["expr"].strip(), p["title"])
                for var in re.findall(r"\$\{?(\w+)", t["expr"]):
                    self.assertTrue(var in variables or var.startswith("__"), "%s: unknown variable %s" % (p["title"], var))
        for v in variables.values():
            if v["type"] == "query":
                self.assertEqual(v["datasource"], ds, v["name"])
        self.assertGreaterEqual(len(ids), 10)

    def test_dashboard_queries_parse(self):
        promtool = shutil.which("promtool")
        if promtool is None:
            self.skipTest("promtool not installed (Debian package prometheus)")
        rules = []
        for i, (where, expr) in enumerate(dashboard_exprs(load_dashboard())):
            for var, value in GRAFANA_VARS.items():
                expr = expr.replace(var, value)
            self.assertNotIn("$", expr, "%s: a variable the check does not know" % where)
            rules.append({"record": "dashboard:query:%d" % i, "expr": expr})
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
            yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
            f.flush()
            r = subprocess.run([promtool, "check", "rules", f.name], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_label_values_are_the_bridges(self):
        reasons = known_reasons()
        exprs = [r["expr"] for r in load_rules()] + [e for _, e in dashboard_exprs(load_dashboard())]
        seen = set()
        for expr in exprs:
            for op, value in label_values(expr, "reason"):
                for alt in value.split("|"):
                    matches = {r for r in reasons if re.fullmatch(alt, r)}
                    self.assertTrue(matches, "reason %s%r matches no reason of src/core/err.c" % (op, alt))
                    seen |= matches
            for op, value in label_values(expr, "outcome"):
                self.assertIn(value, ("ok", "refused", "error"))
        for r in ("mm_timeout", "mm_error", "store_unavailable", "replayed", "link_refused", "link_conflict",
                  "rate_limited", "signature_invalid", "expired"):
            self.assertIn(r, seen)

    def test_alerts_are_documented(self):
        ops = open(os.path.join(ROOT, "docs", "operations.md")).read()
        anchors = {}
        for rule in load_rules():
            if "alert" not in rule:
                continue
            name = rule["alert"]
            self.assertIn(rule["labels"]["severity"], ("critical", "warning"), name)
            for k in ("summary", "description", "runbook_url"):
                self.assertTrue(rule["annotations"].get(k), "%s: %s" % (name, k))
            self.assertTrue("`%s`" % name in ops, "%s is explained in docs/operations.md" % name)
            path, _, anchor = rule["annotations"]["runbook_url"].partition("#")
            self.assertTrue(path.startswith("docs/") and os.path.exists(os.path.join(ROOT, path)), name)
            if path not in anchors:
                with open(os.path.join(ROOT, path)) as f:
                    anchors[path] = {slug(m) for m in re.findall(r"^#+ (.*)$", f.read(), re.M)}
            pieces = [a for a in re.split(r"\{\{.*?\}\}", anchor) if a]
            self.assertTrue(pieces, name)
            for a in pieces:
                self.assertIn(a, anchors[path], "%s: no section #%s in %s" % (name, a, path))


class Exported(unittest.TestCase):
    """The names in use against a real bridge's /auth/metrics."""

    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, mode="database", name="monitoring").start()

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish()
        assert not problems, problems

    def metrics(self):
        """(families, samples) with every series' instance label (which
        each sample carries, first) taken out of the keys."""
        r = self.s.get("/auth/metrics")
        self.assertEqual(r.status, 200)
        families, samples = exported(r.body.decode())
        out = {}
        for key, value in samples.items():
            m = re.match(r'^([a-z_]+)\{instance="[^"]*"(?:,(.*))?\}$', key)
            self.assertIsNotNone(m, "no instance label first: " + key)
            out[m.group(1) + ("{%s}" % m.group(2) if m.group(2) else "")] = value
        return families, out

    def test_1_readiness_metrics(self):
        s = self.s
        # No readiness check yet: only the timestamp, 0 (so that
        # ChatBridgeReadinessUnknown fires when nobody polls).
        _, samples = self.metrics()
        self.assertEqual(samples["chat_bridge_ready_checked_timestamp_seconds"], 0)
        self.assertNotIn("chat_bridge_ready", samples)
        with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
            version = re.search(r"project\([\w-]+ VERSION ([\d.]+)", f.read()).group(1)
        self.assertEqual(samples['chat_bridge_build_info{version="%s"}' % version], 1)

        t0 = int(time.time())
        self.assertEqual(s.ready().status, 200)
        _, samples = self.metrics()
        self.assertEqual(samples["chat_bridge_ready"], 1)
        for dep in ("store", "mattermost", "mattermost_database"):
            self.assertEqual(samples['chat_bridge_dependency_up{dependency="%s"}' % dep], 1, dep)
        self.assertGreaterEqual(samples["chat_bridge_ready_checked_timestamp_seconds"], t0)
        self.assertLessEqual(samples["chat_bridge_ready_checked_timestamp_seconds"], time.time() + 1)

        # Mattermost down: the last check says so, until the next one.
        s.emu("POST", "/__emu/fault", {"mode": "down"})
        try:
            self.assertEqual(s.ready().status, 503)
            _, samples = self.metrics()
            self.assertEqual(samples["chat_bridge_ready"], 0)
            self.assertEqual(samples['chat_bridge_dependency_up{dependency="mattermost"}'], 0)
            self.assertEqual(samples['chat_bridge_dependency_up{dependency="store"}'], 1)
            self.assertEqual(samples['chat_bridge_dependency_up{dependency="mattermost_database"}'], 1)
        finally:
            s.emu("POST", "/__emu/fault", {"mode": "none"})
        self.assertEqual(s.ready().status, 200)
        _, samples = self.metrics()
        self.assertEqual(samples["chat_bridge_ready"], 1)

    def test_2_names_in_use_are_exported(self):
        s = self.s
        self.assertEqual(s.open_link(s.mint(new_ulid(31), "monitoring@example.com")).status, 302)
        self.assertEqual(s.ready().status, 200)
        names, _ = self.metrics()
        rules = load_rules()
        recorded = {r["record"] for r in rules if "record" in r}
        known = names | recorded | PROMETHEUS_OWN

        used = {}
        for r in rules:
            for n in metric_names(r["expr"]):
                used.setdefault(n, set()).add("rule %s" % (r.get("alert") or r.get("record")))
        for where, expr in dashboard_exprs(load_dashboard()):
            for n in metric_names(expr):
                used.setdefault(n, set()).add(where)
        self.assertGreater(len(used), 15, sorted(used))
        unknown = {n: sorted(w) for n, w in used.items() if n not in known}
        self.assertEqual(unknown, {}, "metric names in use that the bridge does not export")

        # The other way round: every metric the bridge exports is on the dashboard.
        on_dashboard = set()
        for _, expr in dashboard_exprs(load_dashboard()):
            on_dashboard |= {re.sub(r"_(bucket|sum|count)$", "", n) for n in metric_names(expr)}
        families = {re.sub(r"_(bucket|sum|count)$", "", n) for n in names}
        self.assertEqual(families - on_dashboard, set(), "exported metrics missing from the dashboard")


if __name__ == "__main__":
    unittest.main()

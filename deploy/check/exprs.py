"""Checks the PromQL of deploy/: every Grafana panel query and template variable becomes a
recording rule for `promtool check rules`, and every metric the dashboard and the alert rules
read must be one a real scrape of `echoscope serve` exposes.

    python3 deploy/check/exprs.py rules DASHBOARD.json OUT.yml
        writes OUT.yml: one recording rule per panel target and per query variable, with
        Grafana's variables replaced by values of the right shape ($client -> .*, $account -> a
        name, $__rate_interval -> 2m); `label_values(SELECTOR, label)` is checked as
        `count(SELECTOR)`. Then run `promtool check rules OUT.yml`.
    python3 deploy/check/exprs.py metrics SCRAPE.txt DASHBOARD.json RULES.yml
        fails naming any `echoscope_*` metric an expression reads that the scrape does not
        expose (a family name or a sample name such as `_bucket`).

Standard library only (JSON is YAML, so the rules file is written as JSON).
"""

import json
import re
import sys

VARIABLES = {
    "${datasource}": "prometheus",
    "$__rate_interval": "2m",
    "$__interval": "1m",
    "$__range": "1h",
    "$client": ".*",
    "$account": "acme-news",
}

# A metric name in an expression: not part of a recording rule name (`level:metric:op`), a
# label in a template (`$labels.x`) or a longer identifier.
METRIC = re.compile(r"(?<![\w:.$])echoscope_[a-zA-Z0-9_]+(?![\w:])")


def substitute(expr):
    # Longest names first, so that `$__rate_interval` is not read as `$__range`'s prefix.
    for name in sorted(VARIABLES, key=len, reverse=True):
        expr = expr.replace(name, VARIABLES[name])
    if re.search(r"\$\w", expr):
        raise SystemExit(f"unknown Grafana variable in {expr!r}")
    return expr


def dashboard_exprs(path):
    """(where, PromQL) for every panel target and query variable of a dashboard."""
    with open(path, encoding="utf-8") as f:
        dashboard = json.load(f)
    found = []

    def panels(items):
        for p in items:
            yield p
            yield from panels(p.get("panels", []))

    for p in panels(dashboard.get("panels", [])):
        for t in p.get("targets", []):
            found.append((f"panel {p['id']} ({p.get('title', '')}) {t['refId']}", t["expr"]))
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        query = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\)\s*", query)
        found.append((f"variable {v['name']}", f"count({m.group(1)})" if m else query))
    if not found:
        raise SystemExit(f"{path}: no queries found")
    return found


def rules(dashboard, out):
    exprs = dashboard_exprs(dashboard)
    rules = [
        {"record": f"grafana_check:q{i}", "expr": substitute(e), "labels": {"where": where}}
        for i, (where, e) in enumerate(exprs)
    ]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, f, indent=1)
    print(f"{len(rules)} dashboard queries written to {out}")


def rule_exprs(path):
    """The `expr` of every rule in a rules file (read without a YAML library: the block
    scalars and one-line values of deploy/prometheus/rules.yml)."""
    exprs, current, block = [], None, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            stripped = line.strip()
            if block:
                if stripped and len(line) - len(line.lstrip()) > indent:
                    current.append(stripped)
                    continue
                exprs.append(" ".join(current))
                block = False
            m = re.match(r"(\s*)expr:\s*(.*)$", line)
            if m:
                indent = len(m.group(1))
                if m.group(2) in ("|", ">", "|-", ">-"):
                    current, block = [], True
                else:
                    exprs.append(m.group(2).strip("'\""))
    if block:
        exprs.append(" ".join(current))
    return exprs


def metrics(scrape, dashboard, rules_file):
    exposed = set()
    with open(scrape, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"# (?:HELP|TYPE) (\S+)", line) or re.match(r"([a-zA-Z_:][\w:]*)", line)
            if m:
                exposed.add(m.group(1))
    used = {}
    for where, e in dashboard_exprs(dashboard):
        for name in METRIC.findall(e):
            used.setdefault(name, where)
    for e in rule_exprs(rules_file):
        for name in METRIC.findall(e):
            used.setdefault(name, f"{rules_file}: {e[:60]}")
    missing = {n: w for n, w in used.items() if n not in exposed}
    for name, where in sorted(missing.items()):
        print(f"not exposed by echoscope: {name} (read by {where})")
    if missing:
        raise SystemExit(1)
    print(f"{len(used)} echoscope metrics read by the dashboard and rules, all exposed")


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["rules", dashboard, out]:
            rules(dashboard, out)
        case ["metrics", scrape, dashboard, rules_file]:
            metrics(scrape, dashboard, rules_file)
        case _:
            raise SystemExit(__doc__)

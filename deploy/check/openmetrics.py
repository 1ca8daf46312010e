"""Parses an OpenMetrics exposition on stdin with prometheus_client's strict OpenMetrics parser
(it requires `# EOF`, counter samples named `<family>_total`, sorted histogram buckets ending in
`+Inf`, ...) and fails on the first error. promtool 2.x's `check metrics` reads only the
Prometheus text format, so it cannot check this one.

    curl -H 'Accept: application/openmetrics-text; version=1.0.0' .../metrics | python3 openmetrics.py
"""

import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

families = list(text_string_to_metric_families(sys.stdin.read()))
samples = sum(len(f.samples) for f in families)
print(f"openmetrics: {len(families)} families, {samples} samples, parsed cleanly")

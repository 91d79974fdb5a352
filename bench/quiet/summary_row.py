"""One row of a bench/quiet table from `monge ... --json` output and /usr/bin/time -v's report (bench/quiet/lib.sh).

Usage: summary_row.py JSON TIME FORMAT [key=value ...]. FORMAT is a Python format string; its fields are {wall},
{cpu} (user + sys seconds), {rss_gb} (peak resident set, GB), {level_seconds} (the levels' seconds, one decimal each),
the key=value pairs, and any other name: the first value of that key in the JSON, depth first through objects (None
when absent). The JSON is read from the first "{" of the file (progress lines may come first); no "{": empty.
"""
import json
import re
import sys


def find(d, key):
    if isinstance(d, dict):
        if key in d:
            return d[key]
        for v in d.values():
            r = find(v, key)
            if r is not None:
                return r
    return None


class Fields(dict):
    def __init__(self, doc, time_text, extra):
        super().__init__(extra)
        self.doc = doc
        self.time_text = time_text

    def field(self, name):
        m = re.search(re.escape(name) + r".*?: (.*)", self.time_text)
        return m.group(1).strip() if m else "?"

    def __missing__(self, key):
        if key == "wall":
            return self.field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
        if key == "cpu":
            return float(self.field("User time (seconds)")) + float(self.field("System time (seconds)"))
        if key == "rss_gb":
            return int(self.field("Maximum resident set size (kbytes)")) / 1e6
        if key == "level_seconds":
            levels = find(self.doc, "levels") or []
            return " ".join(f"{l.get('seconds', 0):.1f}" for l in levels if isinstance(l, dict))
        return find(self.doc, key)


def main():
    path, time_path, fmt = sys.argv[1:4]
    extra = dict(a.split("=", 1) for a in sys.argv[4:])
    text = open(path).read()
    start = text.find("{")
    doc = json.loads(text[start:]) if start >= 0 else {}
    print(fmt.format_map(Fields(doc, open(time_path).read(), extra)))


main()

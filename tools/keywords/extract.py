#!/usr/bin/env python3
"""Build haplint's keyword tables from HAProxy's configuration manuals.

Reads doc/configuration.txt at each release tag of a haproxy/haproxy git
checkout and writes, for the keywords of the `global` section and of proxies
(defaults/frontend/listen/backend), the first version that documents them, the
first that marks them deprecated and the first that no longer documents them:

    tools/keywords/extract.py /path/to/haproxy rules/keywords

Sources in each manual (facts only: names, sections, versions):
  * global: the keyword list of section 3 ("The following keywords are
    supported in the "global" section"), plus keyword headings of 3.1-3.3;
  * proxies: the matrix of section 4.1 (which sections accept a keyword,
    "(*)" for keywords `no` may invert, "(deprecated)", "(!)" for keywords
    only named defaults sections take), plus the keyword
    headings of section 4.2 (accepted in every proxy section when the
    matrix does not list them);
  * sample fetches and converters: the headings of sections 7.3.1-7.3.7.
To add a release: append its tag to TAGS and run the script again.
"""

import re
import subprocess
import sys

TAGS = ["v2.4.0", "v2.5.0", "v2.6.0", "v2.7.0", "v2.8.0", "v2.9.0",
        "v3.0.0", "v3.1.0", "v3.2.0", "v3.3.0", "v3.4.0"]

# Misspellings in some manuals that haproxy never accepted.
MANUAL_TYPOS = {"tcp-resposne", "tune.quit.zero-copy-fwd-send"}

HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.\s+\S")
MATRIX_ROW = re.compile(
    r"^(?P<kw>[a-z][^\s(]*(?: [a-z0-9][^\s(]*)*)\s+"
    r"(?P<flags>(?:\([^)]*\)\s*)*)"
    r"(?P<d>[X-])(?P<named>\s*\(!\))?\s+(?P<f>[X-])\s+(?P<l>[X-])\s+(?P<b>[X-])\s*$")
KEYWORD_HEADING = re.compile(r"^([a-z][a-z0-9._-]*(?: [a-z][a-z0-9._-]*)?)(?:\s|$)")


def manual(repo, tag):
    return subprocess.run(["git", "-C", repo, "show", f"{tag}:doc/configuration.txt"],
                          check=True, capture_output=True, text=True).stdout.splitlines()


def section_spans(lines):
    """Section number -> (first line, last line) of the body, from the second
    occurrence of each heading (the first is the table of contents)."""
    starts = {}
    for i, line in enumerate(lines):
        m = HEADING.match(line)
        if m and i + 1 < len(lines) and lines[i + 1].startswith("---"):
            starts[m.group(1)] = i
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    spans = {}
    for n, (number, start) in enumerate(ordered):
        end = ordered[n + 1][1] if n + 1 < len(ordered) else len(lines)
        spans[number] = (start + 2, end)
    return spans


def headings(lines, span):
    """Keyword headings: lines at column 0 followed (after optional blank
    lines) by an indented paragraph."""
    found = set()
    start, end = span
    for i in range(start, end):
        line = lines[i]
        m = KEYWORD_HEADING.match(line)
        if not m or line.startswith(("  ", "\t")):
            continue
        nxt = next((l for l in lines[i + 1:min(i + 6, end)] if l.strip()), "")
        if not nxt.startswith(("  ", "\t")):
            continue
        words = m.group(1).split(" ")
        keyword = words[0]
        # `option httplog`, `timeout server`, `stats uri`...: the two-word form.
        if keyword in ("option", "timeout", "stats", "email-alert", "capture",
                       "http-check", "tcp-check", "monitor", "declare", "no") and len(words) > 1:
            keyword = " ".join(words[:2])
        found.add((keyword, "(deprecated)" in line.lower()))
    return found


def global_keywords(lines, spans):
    found = {}
    start = next(i for i, l in enumerate(lines)
                 if 'following keywords are supported in the "global" section' in l)
    for line in lines[start:spans["3.1"][0]]:
        m = re.match(r"^\s+- ([a-z0-9][a-z0-9._-]*)(.*)$", line)
        if m:
            found[m.group(1)] = "deprecated" in m.group(2)
    for number in ("3.1", "3.2", "3.3"):
        if number in spans:
            for keyword, deprecated in headings(lines, spans[number]):
                name = keyword.split(" ")[0]
                # Either the list or the heading may carry "(deprecated)".
                found[name] = found.get(name, False) or deprecated
    return found


def proxy_keywords(lines, spans):
    found = {}
    start, end = spans["4.1"]
    for line in lines[start:end]:
        m = MATRIX_ROW.match(line)
        if not m:
            continue
        flags = m.group("flags")
        found[m.group("kw")] = {
            "sections": "".join(c for c, v in zip("dflb", (m.group("d"), m.group("f"), m.group("l"), m.group("b"))) if v == "X"),
            "negatable": "(*)" in flags,
            "named_defaults_only": bool(m.group("named")),
            "deprecated": "deprecated" in flags,
        }
    for keyword, deprecated in headings(lines, spans["4.2"]):
        if keyword not in found and not any(k.startswith(keyword + " ") for k in found):
            found[keyword] = {"sections": "dflb", "negatable": False,
                              "named_defaults_only": False, "deprecated": deprecated}
    return found


SAMPLE_HEADING = re.compile(r"^([a-z][a-z0-9_.-]*)(?:\(|\s|$)")


def samples(lines, spans):
    """Converters (headings of 7.3.1) and sample fetches (headings of 7.3.2 to
    7.3.7, written `name(args) : type`)."""
    found = {}
    for number, (start, end) in spans.items():
        title = lines[start - 2].lower()
        if not number.startswith("7.3."):
            continue
        kind = "converter" if "converters" in title else "fetch"
        for i in range(start, end):
            line = lines[i]
            m = SAMPLE_HEADING.match(line)
            if not m:
                continue
            nxt = next((l for l in lines[i + 1:min(i + 6, end)] if l.strip()), "")
            if not nxt.startswith(("  ", "\t")):
                continue
            if kind == "fetch" and " : " not in line and not line.rstrip().endswith(":"):
                continue
            found[f"{kind}\t{m.group(1)}"] = True
    return found


def version(tag):
    return tag[1:].rsplit(".", 1)[0]


def main(repo, out):
    globals_by_tag, proxies_by_tag, samples_by_tag = {}, {}, {}
    for tag in TAGS:
        lines = manual(repo, tag)
        spans = section_spans(lines)
        globals_by_tag[tag] = global_keywords(lines, spans)
        proxies_by_tag[tag] = proxy_keywords(lines, spans)
        samples_by_tag[tag] = samples(lines, spans)

    def lifetime(keyword, by_tag, deprecated_of):
        present = [t for t in TAGS if keyword in by_tag[t]]
        since = version(present[0])
        last = TAGS.index(present[-1])
        until = version(TAGS[last + 1]) if last + 1 < len(TAGS) else ""
        deprecated = next((version(t) for t in present if deprecated_of(by_tag[t][keyword])), "")
        return since, deprecated, until

    with open(f"{out}/global.tsv", "w") as f:
        f.write("keyword\tsince\tdeprecated\tuntil\n")
        for keyword in sorted({k for t in TAGS for k in globals_by_tag[t]} - MANUAL_TYPOS):
            since, deprecated, until = lifetime(keyword, globals_by_tag, bool)
            f.write(f"{keyword}\t{since}\t{deprecated}\t{until}\n")

    with open(f"{out}/samples.tsv", "w") as f:
        f.write("kind\tname\tsince\tdeprecated\tuntil\n")
        for key in sorted({k for t in TAGS for k in samples_by_tag[t]}):
            since, _, until = lifetime(key, samples_by_tag, lambda e: False)
            f.write(f"{key}\t{since}\t\t{until}\n")

    with open(f"{out}/proxy.tsv", "w") as f:
        f.write("keyword\tsections\tnegatable\tsince\tdeprecated\tuntil\tnamed_defaults_only\n")
        for keyword in sorted({k for t in TAGS for k in proxies_by_tag[t] if not k.startswith("no ")} - MANUAL_TYPOS):
            since, deprecated, until = lifetime(keyword, proxies_by_tag, lambda e: e["deprecated"])
            newest = next(proxies_by_tag[t][keyword] for t in reversed(TAGS) if keyword in proxies_by_tag[t])
            sections = newest["sections"]
            # Any version's matrix accepting a section counts: a keyword may gain sections.
            for t in TAGS:
                entry = proxies_by_tag[t].get(keyword)
                if entry:
                    sections = "".join(c for c in "dflb" if c in sections or c in entry["sections"])
            negatable = any(proxies_by_tag[t].get(keyword, {}).get("negatable") for t in TAGS)
            named = newest.get("named_defaults_only")
            f.write(f"{keyword}\t{sections}\t{'yes' if negatable else ''}\t{since}\t{deprecated}\t{until}\t{'yes' if named else ''}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

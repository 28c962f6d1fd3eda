#!/usr/bin/env python3
"""Reads YAML files with PyYAML and prints each as one line of JSON, for tests/build.rs.

Usage: python3 tests/yaml_reader.py FILE...

For each file, in the order given, prints `json.dumps(yaml.safe_load(text), sort_keys=True)`
on a line of its own. PyYAML resolves plain scalars by the YAML 1.1 rules, so a string that a
YAML 1.1 parser would read as a boolean, a number or a null shows up here as something other
than a string; a timestamp (a date) cannot be written as JSON at all and fails the script,
naming the file.
"""

import json
import sys

import yaml


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as file:
            data = yaml.safe_load(file)
        try:
            line = json.dumps(data, sort_keys=True)
        except (TypeError, ValueError) as error:
            sys.exit(f"{path}: PyYAML read a value JSON cannot hold: {error}")
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])

#!/bin/bash
# The fuzz corpora as a regression test: every libFuzzer target (tests/fuzz/fuzz_*.c) runs each input
# of its corpus (tests/fuzz/corpus/<target>/) once under ASan+UBSan; one ok / not ok line per target.
cd "$(dirname "$0")/../.." && exec bash tests/fuzz/fuzz check

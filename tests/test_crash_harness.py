"""CI's run of the crash-safety harness (tests/crash_harness.py): a few SIGKILLs under a mixed
write load (create, rename, favorites, profile, delete); every acknowledged write must survive,
nothing half-written may remain, the store must open clean. On demand: --kills 100."""
import sys

from crash_harness import run
from k9test import k9_binary

KILLS = 5


def main():
    stats = run(k9_binary(), KILLS, clients=8)
    print(stats)
    assert stats["kills"] == KILLS
    assert stats["acknowledged"] >= 20 * KILLS, f"too few acknowledged writes to mean anything: {stats}"
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The short bad input sweep (issue 16) of the backup restore: about 200 spoiled backups
(tests/fuzzing.py) restored with --replace into one SQLite database that holds a small network.
Each is accepted or refused in one clear line, and a refusal leaves the rows and the upload folder
as they were. bench/fuzz.py runs the same sweep with 10,000 backups."""

from tests.fuzzing import BackupTarget, sweep

EXAMPLES = 200


def test_no_backup_is_unhandled_and_a_refusal_changes_nothing(tmp_path):
    target = BackupTarget(tmp_path)
    tally = sweep(target, EXAMPLES)
    assert tally.run == EXAMPLES
    assert tally.unhandled == [], "\n".join(tally.lines())
    assert tally.accepted and sum(tally.refused.values()) > EXAMPLES / 2
    assert target.counts() == target.baseline

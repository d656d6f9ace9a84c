"""The node lease: a second node process on one SQLite file is refused; on PostgreSQL it waits as the standby
and takes over when the active one's session ends; the active one learns when it has lost the lease."""

import logging
import threading

import psycopg
import pytest

from oracle.store.lease import FileLease, LeaseError, PostgresLease, hold_node_lease

SIGNER = "0x1111111111111111111111111111111111111111"


def test_a_second_node_on_the_same_sqlite_file_is_refused_with_the_holders_pid(tmp_path):
    database = tmp_path / "oracle.db"
    held = hold_node_lease(database, SIGNER)
    with pytest.raises(LeaseError, match=r"another node process \(pid \d+\) already runs on .*oracle.db"):
        FileLease(database).acquire()
    held.release()
    FileLease(database).acquire().release()  # free again once the holder is gone


def test_the_standby_waits_and_takes_over_when_the_active_session_ends(postgres_url, caplog):
    active = PostgresLease(postgres_url, SIGNER, poll_seconds=0.05).acquire()
    standby = PostgresLease(postgres_url, SIGNER, poll_seconds=0.05)
    other_key = PostgresLease(postgres_url, "0x2222222222222222222222222222222222222222").acquire()
    took_over = threading.Event()
    caplog.set_level(logging.INFO, logger="oracle.store.lease")
    waiter = threading.Thread(target=lambda: (standby.acquire(), took_over.set()), daemon=True)
    waiter.start()
    _wait_for(lambda: "standby: another node process holds the lease" in caplog.text)
    assert not took_over.is_set()
    active.release()  # as when the process dies: the server ends the session and its lock
    assert took_over.wait(10)
    waiter.join()
    standby.release()
    other_key.release()


def test_the_active_process_learns_when_its_session_is_ended(postgres_url, postgres_database):
    lost = []
    lease = PostgresLease(postgres_url, SIGNER, poll_seconds=0.05, on_lost=lost.append).acquire()
    with psycopg.connect(postgres_database.url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
            (lease._key & 0xFFFFFFFF,),
        )
    _wait_for(lambda: lost)
    assert "lease connection failed" in lost[0]
    lease.release()


def _wait_for(condition, timeout=10):
    done = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        done.wait(0.02)
    raise AssertionError("condition not met in time")

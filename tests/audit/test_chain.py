"""The trail as hash chains (audit.chain): every event chained to the one before it in its municipality's chain, and
`verify_audit` naming the first broken event after a change made in PostgreSQL past the append-only trigger."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit import chain
from audit.models import Action, AuditChainHead, AuditEvent
from audit.services import audit_record


def _events(user, count=4, **kwargs):
    return [audit_record(action=Action.VIEW, user=user, object_type="cases.household", object_id=str(n),
                         object_label=f"世帯 #{n}", detail={"ids": [n, n + 1]}, **kwargs) for n in range(count)]


def _verify(*arguments) -> str:
    out = StringIO()
    call_command("verify_audit", *arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


def _broken(*arguments) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", *arguments, stdout=StringIO(), stderr=StringIO())
    assert failure.value.returncode == 1  # manage.py exits with 1
    return str(failure.value)


def _as_owner(*statements):
    """What a DBA could do in psql: past the trigger (disabled, or replication mode), straight to the rows."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: ALTER and TRUNCATE may run
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        for statement in statements:
            cursor.execute(*statement) if isinstance(statement, tuple) else cursor.execute(statement)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_each_event_is_chained_to_the_one_before_in_its_municipality(coordinator_kita, coordinator_komae, administrator):
    first, second = _events(coordinator_kita, 2)
    komae = audit_record(action=Action.LOGIN, user=coordinator_komae)
    nowhere = audit_record(action=Action.LOGIN_FAILED, username="someone")  # two cities: no municipality
    assert (first.seq, second.seq, komae.seq, nowhere.seq) == (1, 2, 1, 1)
    stored = AuditEvent.objects.values(*chain.FIELDS).get(pk=second.pk)
    assert second.hash == chain.digest(stored, first.hash) != chain.digest(stored, "")
    heads = {head.chain: (head.seq, head.hash) for head in AuditChainHead.objects.all()}
    assert heads == {coordinator_kita.municipality_id: (2, second.hash), coordinator_komae.municipality_id: (1, komae.hash),
                     0: (1, nowhere.hash)}


def test_an_untouched_trail_verifies(coordinator_kita, coordinator_komae):
    _events(coordinator_kita)
    audit_record(action=Action.LOGIN, user=coordinator_komae, detail={"float": 1e20, "text": "北\u3000区", "n": None})
    out = _verify()
    assert "監査ログは改ざんされていません。" in out
    assert f"チェーン {coordinator_kita.municipality_id}: 4件 正常" in out


def test_a_row_changed_past_the_trigger_is_named(coordinator_kita):
    events = _events(coordinator_kita)
    _as_owner(("UPDATE audit_auditevent SET object_id = '99' WHERE id = %s", [events[2].pk]))
    message = _broken()
    assert f"連番 3（イベントID {events[2].pk}）" in message and "ハッシュが一致しません" in message


def test_a_row_written_with_replication_role_bypassing_every_trigger_is_named(coordinator_kita):
    events = _events(coordinator_kita)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no trigger fires at all
        cursor.execute("UPDATE audit_auditevent SET username = 'someone_else' WHERE id = %s", [events[1].pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert f"連番 2（イベントID {events[1].pk}）" in _broken()


def test_a_row_deleted_from_the_middle_is_named_by_the_gap(coordinator_kita):
    events = _events(coordinator_kita)
    _as_owner(("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk]))
    message = _broken()
    assert f"連番 3（イベントID {events[2].pk}）" in message and "連番 2〜2 の記録がありません" in message


def test_rows_deleted_from_the_end_are_found_against_the_chain_head(coordinator_kita):
    events = _events(coordinator_kita)
    _as_owner(("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[2].pk, events[3].pk]))
    message = _broken()
    assert "連番 4 まであるはずですが、2 で終わっています" in message


def test_an_emptied_table_is_found_against_the_chain_head(coordinator_kita):
    _events(coordinator_kita)
    _as_owner("TRUNCATE audit_auditevent")
    assert "連番 4 まであるはずですが、0 で終わっています（連番 1〜4 が削除されたか、表が空にされています）" in _broken()


def test_a_row_inserted_by_hand_is_named(coordinator_kita):
    events = _events(coordinator_kita, 2)
    with connection.cursor() as cursor:  # no trigger stops an INSERT; a forged hash does not match
        cursor.execute("INSERT INTO audit_auditevent (at, municipality_id, username, action, object_type, object_id, "
                       "object_label, user_agent, path, detail, seq, hash) SELECT at, municipality_id, 'ghost', action, "
                       "object_type, object_id, object_label, user_agent, path, detail, 3, repeat('0', 64) "
                       "FROM audit_auditevent WHERE id = %s RETURNING id", [events[1].pk])
        ghost = cursor.fetchone()[0]
    assert f"連番 3（イベントID {ghost}）" in _broken()


def test_a_chain_rebuilt_from_scratch_is_found_against_an_anchor_written_down_earlier(coordinator_kita, settings):
    events = _events(coordinator_kita, 3)
    anchor = f"{coordinator_kita.municipality_id}:3:{events[2].hash}"
    assert "改ざんされていません" in _verify("--anchor", anchor)
    # Someone who knows the key deletes every row and writes the trail again, one event fewer: the chain is whole.
    _as_owner("TRUNCATE audit_auditevent", "DELETE FROM audit_auditchainhead")
    _events(coordinator_kita, 3)
    assert "改ざんされていません" in _verify()
    assert "控えてあるハッシュと一致しません" in _broken("--anchor", anchor)


def test_a_hash_needs_the_key(coordinator_kita, settings):
    event = audit_record(action=Action.LOGIN, user=coordinator_kita)
    settings.AUDIT_CHAIN_KEY = "another key"  # a DBA without the application's key cannot recompute a hash
    stored = AuditEvent.objects.values(*chain.FIELDS).get(pk=event.pk)
    assert chain.digest(stored, "") != event.hash
    assert "AUDIT_CHAIN_KEY" in _broken()


def test_the_benchmark_s_bulk_insert_is_chained_too(coordinator_kita):
    audit_record(action=Action.LOGIN, user=coordinator_kita)
    AuditEvent.objects.bulk_create(AuditEvent(municipality=coordinator_kita.municipality, user=coordinator_kita,
                                              action=Action.VIEW, object_id=str(n)) for n in range(5))
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert "改ざんされていません" in _verify()


def test_writing_an_event_costs_three_queries(coordinator_kita, django_assert_num_queries):
    audit_record(action=Action.LOGIN, user=coordinator_kita)
    # lock and read the chain head (one upsert), insert the event, move the head on
    with django_assert_num_queries(3):
        audit_record(action=Action.VIEW, user=coordinator_kita)


def test_events_written_before_the_chain_are_chained_by_the_migration(coordinator_kita, coordinator_komae):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("audit.migrations.0006_audit_hash_chain")
    events = _events(coordinator_kita, 3) + [audit_record(action=Action.LOGIN, user=coordinator_komae)]
    # As the old trail stood: no seq, no hash, no heads.
    _as_owner("UPDATE audit_auditevent SET seq = seq + 1000, hash = ''", "DELETE FROM audit_auditchainhead")
    assert "改ざんを検出" in _broken_text()

    class Editor:
        connection = connection

    migration.chain_existing(apps, Editor())
    assert "監査ログは改ざんされていません。" in _verify()
    assert [e.seq for e in AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk")] == [1, 2, 3, 1]


def _broken_text() -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    return err.getvalue()

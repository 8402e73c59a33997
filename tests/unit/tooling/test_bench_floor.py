"""The gas floor model of bench/floor.py and the per-call table of bench/gas_suite.py."""

import pytest

from bench.floor import (
    Floor,
    FloorModel,
    LogShape,
    calldata_gas,
    floor_of,
    log_gas,
    ratio,
    shapes,
    view_floor,
)
from bench.gas_suite import FLOORS, TARGETS


def test_calldata_gas__zero_and_nonzero_bytes__eip2028_prices():
    assert calldata_gas(b"") == 0
    assert calldata_gas(b"\x00" * 10) == 40
    assert calldata_gas(b"\x01\x00\xff") == 16 + 4 + 16


def test_log_gas__topics_and_data__schedule_prices():
    assert log_gas(0, 0) == 375
    assert log_gas(2, 64) == 375 + 2 * 375 + 64 * 8


@pytest.mark.parametrize("topics", [-1, 5])
def test_log_gas__impossible_topic_count__rejected(topics):
    with pytest.raises(ValueError, match="0 to 4 topics"):
        log_gas(topics, 0)


def test_floor_of__new_and_changed_slots_calldata_and_logs__summed():
    model = FloorModel(new_slots=1, updated_slots=2, logs=("Attested",), why="test")
    calldata = b"\x12\x34\x00\x00"
    floor = floor_of(model, calldata, [LogShape(topics=4, data_bytes=64)])
    assert floor == Floor(
        base=21_000, calldata=16 * 2 + 4 * 2, storage=22_100 + 2 * 5_000, logs=375 * 5 + 64 * 8
    )
    assert floor.total == 21_000 + 40 + 32_100 + 2_387


def test_floor_of__receipt_with_other_log_count__refused():
    model = FloorModel(new_slots=1, updated_slots=0, logs=("Attested", "Derived"), why="test")
    with pytest.raises(ValueError, match="receipt has 1"):
        floor_of(model, b"", [LogShape(2, 0)])


def test_view_floor__calldata_only():
    assert view_floor(b"\x01" * 4).total == 21_000 + 64


def test_ratio__rounded_to_hundredths():
    assert ratio(58_956, 46_715) == 1.26
    assert ratio(100, Floor(base=50, calldata=0, storage=0, logs=0)) == 2.0


def test_shapes__dict_and_object_logs_with_hex_or_bytes_data():
    class Log:
        topics = (b"a", b"b")
        data = b"\x00" * 32

    assert shapes([{"topics": [b"t"], "data": "0x" + "ab" * 3}, Log()]) == [
        LogShape(1, 3),
        LogShape(2, 32),
    ]


def test_floor_table__every_targeted_gas_row_has_a_model_or_is_a_view():
    for row in TARGETS:
        assert row in FLOORS or row.endswith("_estimate"), row


def test_floor_table__every_model_names_logs_and_a_reason():
    for row, model in FLOORS.items():
        assert model.logs and model.why, row
        assert model.new_slots >= 0 and model.updated_slots >= 0, row


def test_bus_floor_table__every_target_and_label_has_a_model():
    from bench.bus_suite import BUS_FLOORS, LABELS
    from bench.bus_suite import TARGETS as BUS_TARGETS

    derived = {"deliver_batch_50_per_message"}  # the batch total / 50
    for key in (*BUS_TARGETS, *LABELS):
        assert key in BUS_FLOORS or key in derived, key
    for key, model in BUS_FLOORS.items():
        assert model.why and key in LABELS, key

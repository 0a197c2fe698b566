import json

import psutil

from partnerships_site.embedded_db import _forget_dead_processes


def test_pids_of_killed_processes_are_forgotten_so_the_server_can_stop(tmp_path):
    dead_pid = max(psutil.pids()) + 10_000
    while psutil.pid_exists(dead_pid):
        dead_pid += 1
    live_pid = psutil.Process().pid
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(json.dumps([dead_pid, live_pid]))

    _forget_dead_processes(tmp_path)

    assert json.loads(handles.read_text()) == [live_pid]


def test_nothing_to_forget_leaves_the_handle_list_alone(tmp_path):
    _forget_dead_processes(tmp_path)
    assert not (tmp_path / ".handle_pids.json").exists()

"""`python -m sk_shallow`, the course comparison."""

import subprocess
import sys

import pytest

from sk_shallow.__main__ import main


def test_main_prints_the_comparison(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    lines = {line.split("  ")[0]: line.split() for line in out.splitlines()}
    logreg = lines["LogisticRegressionCV"]
    net = next(v for k, v in lines.items() if k.startswith("ShallowNetClassifier"))
    assert float(logreg[1].rstrip("%")) < 55
    assert float(net[-2].rstrip("%")) > 88


def test_main_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "boundaries.png"
    assert main(["--max-iter", "300", "--plot", str(path)]) == 0
    assert f"saved to {path}" in capsys.readouterr().out
    assert path.stat().st_size > 10_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.exhaustive
def test_main_sweep_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "boundaries.png"
    assert main(["--sweep", "--max-iter", "2000", "--plot", str(path)]) == 0
    out = capsys.readouterr().out
    sweep = out.split("Hidden-layer sizes")[1].splitlines()
    rows = [line.split() for line in sweep if line[:1].isdigit()]
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4, 5, 20, 50]
    accuracy = {int(r[0]): float(r[1].rstrip("%")) for r in rows}
    # The notes: 1-2 hidden units near 67%, 3 or more near 90%.
    assert accuracy[1] < 75 and accuracy[2] < 75
    assert min(accuracy[n] for n in (3, 4, 5, 20, 50)) > 85
    assert path.stat().st_size > 10_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_main_help_lists_every_option():
    result = subprocess.run(
        [sys.executable, "-m", "sk_shallow", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--sweep", "--plot", "--n-hidden", "--activation", "--max-iter"):
        assert option in result.stdout


def _no_fitting(monkeypatch):
    """Make any fit in ``main`` an error, to show it fails before fitting."""

    def refuse(*args, **kwargs):
        raise AssertionError("main fitted a model before validating its arguments")

    monkeypatch.setattr("sk_shallow.__main__._fit_timed", refuse)


def test_plot_without_matplotlib_says_so_before_fitting(monkeypatch, tmp_path, capsys):
    _no_fitting(monkeypatch)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(SystemExit, match="needs matplotlib") as excinfo:
        main(["--max-iter", "10", "--plot", str(tmp_path / "x.png")])
    assert "\n" not in str(excinfo.value)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--n-hidden", "0"], "--n-hidden: must be at least 1, got 0"),
        (["--n-hidden", "-3"], "--n-hidden: must be at least 1, got -3"),
        (["--max-iter", "0"], "--max-iter: must be at least 1, got 0"),
        (["--max-iter", "ten"], "--max-iter: 'ten' is not an integer"),
        (["--activation", "softmax"], "--activation: invalid choice"),
        (["--plot", "no_such_folder/x.png"], "the folder of 'no_such_folder/x.png'"),
    ],
)
def test_bad_arguments_fail_at_once(monkeypatch, tmp_path, capsys, argv, message):
    _no_fitting(monkeypatch)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    assert excinfo.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("python -m sk_shallow: error:")
    assert message in last

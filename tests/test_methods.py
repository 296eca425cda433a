"""Weighting and evaluation methods, each run through a ruleset on a published worked example,
plus the invariants theory gives (weights non-negative and summing to 1, scores in range,
invariance to a positive rescaling where it should hold)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import compile_and_run, write_ruleset
from govscore.engine.diagnostics import EngineError


def score(tmp_path, plugins, matrix, directions=None, normalise="minmax", weighting=None, method="weighted_mean",
          params=None, rank_order=None, extra_weights=None, missing=None):
    """Run a one-node ruleset over ``matrix`` (units × criteria); criteria c0, c1, ..."""
    matrix = np.asarray(matrix, dtype=float)
    names = [f"c{j}" for j in range(matrix.shape[1])]
    directions = directions or ["higher"] * len(names)
    lines = ["id," + ",".join(names)] + [f"u{i}," + ",".join(repr(float(v)) for v in row) for i, row in enumerate(matrix)]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    node = {"method": method, "children": names}
    if weighting is not None:
        node["weights"] = "w"
    if params is not None:
        node["params"] = params
    document = {
        "format": "govscore/1", "id": "method-test", "title": "method test",
        "units": {"id": "id"}, "sources": {"data": {"format": "csv", "path": "data.csv"}},
        "normalise": normalise,
        "indicators": {n: {"column": n, "direction": d, **({"missing": missing} if missing else {})}
                       for n, d in zip(names, directions)},
        "weights": {**({"w": weighting} if weighting is not None else {}), **(extra_weights or {})},
        "nodes": {"score": node},
        "score": "score",
        **({"rank": {"order": rank_order}} if rank_order else {}),
    }
    return compile_and_run(write_ruleset(tmp_path, document), plugins)


def weights_of(result):
    return np.array(list(result.weights["score"].values()))


# ---------------------------------------------------------------- weightings

ELSAYED = [[7, 312, 1891, 6613, 163], [72, 88, 728, 941804, 1078], [10, 252, 2594, 3466, 117471],
           [10, 145, 980, 2371, 86329], [65, 54, 350, 501, 29897], [29, 48, 380, 912, 34051],
           [7, 476, 3300, 78470, 2212], [70, 87, 650, 733, 819000], [4, 86, 591, 3015, 103],
           [12, 79, 579, 3240, 96098], [21, 45, 261, 1253, 453], [1, 72, 530, 4333, 0.1048]]


def test_entropy_on_shares_of_raw_values(tmp_path, plugins):
    # Elsayed, Dawood & Karthikeyan (2017), "Evaluating alternatives through the application of TOPSIS
    # method with entropy weight", Int. J. Eng. Trends Technol. 46(2): 60-66: 12 alternatives, 5 criteria.
    result = score(tmp_path, plugins, ELSAYED, normalise="none", weighting={"method": "entropy", "params": {"variant": "shares"}})
    np.testing.assert_allclose(weights_of(result), [0.104991, 0.069124, 0.071373, 0.449937, 0.304575], atol=5e-7)
    details = result.details["score"]["weights"]
    assert details["variant"] == "shares" and len(details["entropy"]) == 5


def test_entropy_invariants(tmp_path, plugins):
    rng = np.random.default_rng(3)
    data = rng.lognormal(size=(30, 4))
    data[:, 2] = 5.0  # a constant column gets weight 0, with a warning
    result = score(tmp_path, plugins, data, normalise="none", weighting={"method": "entropy", "params": {"variant": "shares"}})
    w = weights_of(result)
    assert w.min() >= 0 and w.sum() == pytest.approx(1) and w[2] == 0
    assert any(d.code == "W_METHOD" and '"c2"' in d.message for d in result.diagnostics)
    # shares do not change when a column is multiplied by a positive number
    data[:, 0] *= 1000
    assert weights_of(score(tmp_path, plugins, data, normalise="none",
                            weighting={"method": "entropy", "params": {"variant": "shares"}})) == pytest.approx(w)
    # min-max shares (the default variant) do not change under any increasing affine rescaling
    base = weights_of(score(tmp_path, plugins, data, normalise="none", weighting={"method": "entropy"}))
    data[:, 1] = 3 * data[:, 1] + 7
    assert weights_of(score(tmp_path, plugins, data, normalise="none", weighting={"method": "entropy"})) == pytest.approx(base)


def test_entropy_refuses_what_it_cannot_weigh(tmp_path, plugins):
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, [[1, 2], [1, 2], [1, 2]], normalise="none", weighting={"method": "entropy"})
    assert exc.value.diagnostics[0].code in ("E_WEIGHTS_DATA", "E_ZERO_RANGE")
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, [[1, -2], [2, 3]], normalise="none",
              weighting={"method": "entropy", "params": {"variant": "shares"}})
    assert exc.value.diagnostics[0].code == "E_WEIGHTS_DATA" and "c1" in exc.value.diagnostics[0].message


def test_critic(tmp_path, plugins):
    # Tuş & Adalı (2019), "The new combination with CRITIC and WASPAS methods for the time and attendance
    # software selection problem", Opsearch 56(2): 528-538; the published weights treat every column
    # as higher-is-better in the CRITIC step.
    matrix = [[5000, 3, 3, 4, 3, 2], [680, 5, 3, 2, 2, 1], [2000, 3, 2, 3, 4, 3], [600, 4, 3, 1, 2, 2], [800, 2, 4, 3, 3, 4]]
    result = score(tmp_path, plugins, matrix, weighting={"method": "critic"})
    np.testing.assert_allclose(weights_of(result), [0.157, 0.249, 0.168, 0.121, 0.154, 0.151], atol=5e-4)
    # direction-aware: a lower-is-better column is flipped before the correlations, which changes them
    flipped = score(tmp_path, plugins, matrix, directions=["lower"] + ["higher"] * 5, weighting={"method": "critic"})
    manual = np.asarray(matrix, float)
    manual[:, 0] = -manual[:, 0]
    assert weights_of(flipped) == pytest.approx(weights_of(score(tmp_path, plugins, manual, weighting={"method": "critic"})))
    assert not np.allclose(weights_of(flipped), weights_of(result))


def test_standard_deviation(tmp_path, plugins):
    # Jahan & Edwards (2013), "Weighting of dependent and target-based criteria for optimal decision-making
    # in materials selection process: Biomedical applications", Materials & Design 49: 1000-1008.
    matrix = [[0, 0, 0], [0.39, 0.3, 0.77], [0.17, 0.36, 0.8], [0.35, 0.29, 0.93], [0.3, 0.4, 0.94],
              [0.84, 0.71, 1], [1, 1, 0.99]]
    result = score(tmp_path, plugins, matrix, normalise="none", weighting={"method": "standard_deviation"})
    np.testing.assert_allclose(weights_of(result), [0.35, 0.31, 0.34], atol=5e-3)


def test_coefficient_of_variation_published_example(tmp_path, plugins):
    # Shuai, Zongzhun, Yongji & Lei (2012), "A new angular method to determine the objective weights",
    # 24th Chinese Control and Decision Conference (CCDC), pp. 3889-3892: 4 alternatives, 4 criteria; the
    # coefficient-of-variation weights printed there (reproduced in pyrepo-mcda's test suite).
    data = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
    result = score(tmp_path, plugins, data, normalise="none", weighting={"method": "coefficient_of_variation"})
    np.testing.assert_allclose(weights_of(result), [0.4258, 0.3610, 0.2121, 0.0011], atol=5e-5)


def test_coefficient_of_variation(tmp_path, plugins):
    matrix = np.array([[1.0, 10, 100], [2, 20, 100.5], [3, 30, 101]])
    result = score(tmp_path, plugins, matrix, normalise="none", weighting={"method": "coefficient_of_variation"})
    cv = matrix.std(axis=0, ddof=1) / matrix.mean(axis=0)  # columns 0 and 1 have the same cv: scale-free
    assert weights_of(result) == pytest.approx(cv / cv.sum())
    assert weights_of(result)[0] == pytest.approx(weights_of(result)[1])
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, [[-1, 1], [-2, 2]], normalise="none", weighting={"method": "coefficient_of_variation"})
    assert "mean above 0" in exc.value.diagnostics[0].message


# Wang & Chin (2011), "A linear programming approximation to the eigenvector method in the analytic
# hierarchy process", Information Sciences 181(23): 5240-5248: a 6 × 6 judgement matrix whose
# principal-eigenvector weights are 0.3208, 0.1395, 0.0348, 0.1285, 0.2374, 0.1391.
WANG_CHIN = [[1, 4, 3, 1, 3, 4], [None, 1, 7, 3, "1/5", 1], [None, None, 1, "1/5", "1/5", "1/6"],
             [None, None, None, 1, 1, "1/3"], [None, None, None, None, 1, 3], [None, None, None, None, None, 1]]


def test_ahp_names_the_judgement_the_others_contradict():
    """What the other judgements imply for a_ij is the geometric mean of a_ik·a_kj over the third children:
    A/B = 3 and B/C = 5 imply A/C = 15, whatever the priorities (which contain the judgement itself) say."""
    from govscore.plugins.weightings import furthest_judgement
    assert furthest_judgement(np.array([[1, 3, 1 / 3], [1 / 3, 1, 5], [3, 1 / 5, 1]])) == pytest.approx((0, 2, 1 / 3, 15))
    w = np.array([8, 4, 2, 1.0])
    a = w[:, None] / w[None, :]  # consistent, then A/D written 1/2 instead of 8
    a[0, 3], a[3, 0] = 0.5, 2
    assert furthest_judgement(a) == pytest.approx((0, 3, 0.5, 8))
    assert furthest_judgement(np.array([[1, 2], [0.5, 1]])) is None


def test_ahp_eigenvector_and_consistency(tmp_path, plugins):
    data = np.arange(36.0).reshape(6, 6) % 7 + 1
    with pytest.raises(AssertionError) as exc:  # the ruleset does not compile
        score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {"matrix": WANG_CHIN}})
    # the judgement furthest from the others: c1 against c4 is 1/5, while c1→k→c4 through the four other
    # children gives 7·5, 3·1, 1·(1/3) and 1·(1/3)… whose geometric mean is about 1
    assert "E_AHP_INCONSISTENT" in str(exc.value) and "CR = 0.229" in str(exc.value)
    assert "c1 against c4: written 1/5, while the other judgements imply about 1" in str(exc.value)
    result = score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {"matrix": WANG_CHIN,
                                                                                  "accept_inconsistency": True}})
    np.testing.assert_allclose(weights_of(result), [0.3208, 0.1395, 0.0348, 0.1285, 0.2374, 0.1391], atol=5e-5)
    details = result.details["score"]["weights"]["consistency"]
    assert details["consistent"] is False and details["threshold"] == 0.1  # accepted, and said so
    # λmax − 6 = 5·CI and CR = CI / 1.24 (Saaty's random index for n = 6)
    assert details["CR"] == pytest.approx(details["CI"] / 1.24) and details["CI"] == pytest.approx((details["lambda_max"] - 6) / 5)
    assert details["lambda_max"] > 6
    chinese = score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {
        "matrix": WANG_CHIN, "accept_inconsistency": True, "random_index": "chinese"}})
    assert chinese.details["score"]["weights"]["consistency"]["RI"] == 1.26
    for table, ri in (("alonso_lamata", 1.2479), ("tummala_ling", 1.2358), ("donegan_dodd", 1.1797), ("saaty_2005", 1.25),
                      ([0, 0, 0.52, 0.89, 1.11, 1.25], 1.25)):  # the tables' RI for order 6, and one from another source
        other = score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {
            "matrix": WANG_CHIN, "accept_inconsistency": True, "random_index": table}})
        check = other.details["score"]["weights"]["consistency"]
        assert check["RI"] == ri and check["CR"] == pytest.approx(check["CI"] / ri)
    with pytest.raises(AssertionError) as exc:  # a table too short for the matrix: the ruleset does not compile
        score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {
            "matrix": WANG_CHIN, "accept_inconsistency": True, "random_index": [0, 0, 0.58, 0.9]}})
    assert "ruleset's random-index table stops at 4 elements; this matrix has 6" in str(exc.value)
    assert "give an RI for every order up to 6" in str(exc.value)


def test_ahp_consistent_matrix_and_priority_methods(tmp_path, plugins):
    # a perfectly consistent matrix built from weights 0.5, 0.3, 0.2: every method returns them, λmax = n, CR = 0
    w = np.array([0.5, 0.3, 0.2])
    matrix = (w[:, None] / w[None, :]).tolist()
    data = [[1, 2, 3], [2, 1, 3], [3, 2, 1]]
    for method in ("eigenvector", "geometric_mean", "column_mean"):
        result = score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {"matrix": matrix, "priority": method}})
        assert weights_of(result) == pytest.approx(w)
        assert result.details["score"]["weights"]["consistency"]["CR"] == pytest.approx(0, abs=1e-9)
        assert result.details["score"]["weights"]["consistency"]["consistent"] is True


def test_ahp_group_judgements_and_matrix_errors(tmp_path, plugins):
    data = [[1, 2, 3], [2, 1, 3], [3, 2, 1]]
    a = [[1, 2, 8], [None, 1, 4], [None, None, 1]]  # consistent 8 : 4 : 1
    b = [[1, 8, 8], [None, 1, 1], [None, None, 1]]  # consistent 8 : 1 : 1
    result = score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {"experts": [a, b]}})
    # the element-wise geometric mean of the two matrices is [[1, 4, 8], [1/4, 1, 2], [1/8, 1/2, 1]]: consistent, 8:2:1
    assert weights_of(result) == pytest.approx([8 / 11, 2 / 11, 1 / 11])
    assert result.details["score"]["weights"]["experts_CR"] == pytest.approx([0, 0], abs=1e-9)
    not_reciprocal = [[1, 3, 5], ["1/2", 1, 2], [None, None, 1]]
    with pytest.raises(AssertionError) as exc:
        score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {"matrix": not_reciprocal}})
    assert "E_AHP_MATRIX" in str(exc.value) and "c0 against c1 is 3" in str(exc.value)


def test_group_ahp_with_expert_weights_and_both_aggregations(tmp_path, plugins):
    """Group AHP (Forman & Peniwati 1998). Expert 1 (weight 3) writes c0/c1 = 2, expert 2 (weight 1) writes 8.
    AIJ: 2^0.75·8^0.25 = 2^1.5 = 2.828427, so w = (2.828427, 1) / 3.828427. AIP: priorities (2/3, 1/3) and
    (8/9, 1/9); arithmetic 0.75·(2/3, 1/3) + 0.25·(8/9, 1/9) = (13/18, 5/18); geometric, normalised."""
    data = [[1, 2], [2, 1], [3, 3]]
    experts = {"experts": [[[1, 2], [None, 1]], [[1, 8], [None, 1]]], "expert_weights": [3, 1]}
    aij = score(tmp_path, plugins, data, weighting={"method": "ahp", "params": experts})
    assert weights_of(aij) == pytest.approx(np.array([2 ** 1.5, 1]) / (2 ** 1.5 + 1))
    assert aij.details["score"]["weights"]["expert_weights"] == pytest.approx([0.75, 0.25])
    aip = score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {**experts, "aggregation": "priorities"}})
    assert weights_of(aip) == pytest.approx([13 / 18, 5 / 18])
    geometric = score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {**experts, "aggregation": "priorities_geometric"}})
    g = np.array([(2 / 3) ** 0.75 * (8 / 9) ** 0.25, (1 / 3) ** 0.75 * (1 / 9) ** 0.25])
    assert weights_of(geometric) == pytest.approx(g / g.sum())
    # with priorities combined, each expert's matrix is checked, and the one that fails is named
    inconsistent = [[1, 3, "1/3"], [None, 1, 5], [None, None, 1]]
    consistent = [[1, 2, 4], [None, 1, 2], [None, None, 1]]
    three = [[1, 2, 3], [2, 1, 3], [3, 2, 1]]
    with pytest.raises(AssertionError) as exc:
        score(tmp_path, plugins, three, weighting={"method": "ahp", "params": {"experts": [consistent, inconsistent],
                                                                              "aggregation": "priorities"}})
    assert "E_AHP_INCONSISTENT" in str(exc.value) and "expert 2: the consistency ratio" in str(exc.value)
    assert "c0 against c2: written 1/3, while the other judgements imply about 15" in str(exc.value)
    with pytest.raises(AssertionError) as exc:
        score(tmp_path, plugins, data, weighting={"method": "ahp", "params": {**experts, "expert_weights": [1]}})
    assert "expert_weights gives 1 weights for 2 experts" in str(exc.value)


def test_ahp_is_checked_by_validate_without_data(tmp_path):
    from conftest import engine
    document = {"format": "govscore/1", "id": "x", "title": "x", "units": {"id": "id"},
                "sources": {"d": {"format": "csv", "path": "missing.csv"}},
                "indicators": {f"c{j}": {"column": f"c{j}"} for j in range(6)},
                "weights": {"w": {"method": "ahp", "params": {"matrix": WANG_CHIN}}},
                "nodes": {"score": {"method": "weighted_mean", "children": [f"c{j}" for j in range(6)], "weights": "w"}},
                "score": "score"}
    proc = engine("validate", write_ruleset(tmp_path, document))
    assert proc.returncode == 1 and "E_AHP_INCONSISTENT at /weights/w/params" in proc.stderr


# ---------------------------------------------------------------- evaluation methods

OPRICOVIC = [[1, 3000], [2, 3750], [5, 4500]]  # risk (lower is better), altitude (higher is better)


def test_topsis_opricovic_tzeng(tmp_path, plugins):
    # Opricovic & Tzeng (2004), "Compromise solution by MCDM methods: A comparative analysis of VIKOR and
    # TOPSIS", EJOR 156(2): 445-455, the TOPSIS example: C = 0.500, 0.617, 0.500 with linear (min-max) scaling.
    result = score(tmp_path, plugins, OPRICOVIC, directions=["lower", "higher"], method="topsis",
                   weighting={"method": "fixed", "params": {"values": {"c0": 0.5, "c1": 0.5}}})
    np.testing.assert_allclose(result.score, [0.5, 0.617, 0.5], atol=5e-4)
    assert result.rank.tolist() == [2, 1, 2]


def test_topsis_vector_normalisation_matches_the_textbook_cost_handling(tmp_path, plugins):
    rng = np.random.default_rng(7)
    data = rng.uniform(1, 100, size=(12, 4))
    w = np.array([0.4, 0.3, 0.2, 0.1])
    directions = ["higher", "lower", "higher", "lower"]
    result = score(tmp_path, plugins, data, directions=directions, normalise="vector", method="topsis",
                   weighting={"method": "fixed", "params": {"values": {f"c{j}": float(w[j]) for j in range(4)}}})
    # Hwang & Yoon (1981): v = w·x/‖x‖; the ideal takes the max of benefit columns and the min of cost columns
    v = w * data / np.sqrt((data ** 2).sum(axis=0))
    cost = np.array([d == "lower" for d in directions])
    ideal = np.where(cost, v.min(axis=0), v.max(axis=0))
    anti = np.where(cost, v.max(axis=0), v.min(axis=0))
    d_plus, d_minus = np.sqrt(((v - ideal) ** 2).sum(axis=1)), np.sqrt(((v - anti) ** 2).sum(axis=1))
    np.testing.assert_allclose(result.score, d_minus / (d_plus + d_minus))
    np.testing.assert_allclose(result.details["score"]["details"]["d_plus"], d_plus)
    assert 0 <= result.score.min() and result.score.max() <= 1
    # closeness does not change when a column is multiplied by a positive number
    data[:, 0] *= 50
    again = score(tmp_path, plugins, data, directions=directions, normalise="vector", method="topsis",
                  weighting={"method": "fixed", "params": {"values": {f"c{j}": float(w[j]) for j in range(4)}}})
    np.testing.assert_allclose(again.score, result.score)


@pytest.mark.parametrize("method", ["topsis", "vikor", "grey_relational"])
def test_a_child_weighted_zero_counts_for_nothing_and_prints_no_warning(tmp_path, plugins, method):
    # entropy gives a constant child weight 0; the ideal of a column no unit counts is left out quietly
    data = [[1, 3, 2], [2, 1, 2], [3, 2, 2], [4, 4, 2]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        three = score(tmp_path, plugins, data, normalise="none", method=method,
                      weighting={"method": "fixed", "params": {"values": {"c0": 0.5, "c1": 0.5, "c2": 0}}})
    two = score(tmp_path, plugins, [row[:2] for row in data], normalise="none", method=method,
                weighting={"method": "fixed", "params": {"values": {"c0": 0.5, "c1": 0.5}}})
    np.testing.assert_allclose(three.score, two.score)


def test_vikor_yang_wu(tmp_path, plugins):
    # Yang & Wu (2020), "A new improvement method to avoid rank reversal in VIKOR", IEEE Access 8: 21261-21271:
    # Q = 0.5679, 0.7667, 1, 0.7493, 0 with equal weights and v = 0.5.
    matrix = [[78, 56, 34, 6], [4, 45, 3, 97], [18, 2, 50, 63], [9, 14, 11, 92], [85, 9, 100, 29]]
    result = score(tmp_path, plugins, matrix, method="vikor")
    np.testing.assert_allclose(result.score, [0.5679, 0.7667, 1, 0.7493, 0], atol=5e-5)
    assert result.rank.tolist() == [2, 4, 5, 3, 1]  # VIKOR declares that its lowest Q is best: ranked ascending
    details = result.details["score"]["details"]
    assert details["compromise"] == ["u4"] and details["acceptable_advantage"] and details["acceptable_stability"]


def test_a_ruleset_ranking_against_its_method_is_warned(tmp_path, plugins):
    from govscore.engine.compiler import load_ruleset
    matrix = [[78, 56, 34, 6], [4, 45, 3, 97], [18, 2, 50, 63], [9, 14, 11, 92], [85, 9, 100, 29]]
    result = score(tmp_path, plugins, matrix, method="vikor", rank_order="descending")
    assert result.rank.tolist() == [4, 2, 1, 3, 5]  # the ruleset's word holds
    _, diagnostics = load_ruleset(str(tmp_path / "ruleset.json"), plugins)
    [w] = [d for d in diagnostics if d.code == "W_RANK_ORDER"]
    assert w.path == "/rank/order" and "lowest" in w.message and w.severity == "warning"
    # an order that agrees with the method, or no order at all, is not warned
    for order in ("ascending", None):
        score(tmp_path, plugins, matrix, method="vikor", rank_order=order)
        _, diagnostics = load_ruleset(str(tmp_path / "ruleset.json"), plugins)
        assert "W_RANK_ORDER" not in [d.code for d in diagnostics]


def test_vikor_opricovic_tzeng(tmp_path, plugins):
    # Opricovic & Tzeng (2004), the VIKOR example: Q = 1, 0, 1.
    result = score(tmp_path, plugins, OPRICOVIC, directions=["lower", "higher"], method="vikor",
                   weighting={"method": "fixed", "params": {"values": {"c0": 0.5, "c1": 0.5}}})
    np.testing.assert_allclose(result.score, [1, 0, 1], atol=1e-12)


def test_grey_relational_by_hand(tmp_path, plugins):
    # Two criteria, min-max to [0, 1], reference = the best value of each (1, 1). Units: (1, 0), (0.5, 0.5), (0, 1).
    # Δ = |1 − x|: (0, 1), (0.5, 0.5), (1, 0); Δmin = 0, Δmax = 1; ξ = (0 + 0.5) / (Δ + 0.5):
    # (1, 1/3), (1/2, 1/2), (1/3, 1); grades with equal weights: 2/3, 1/2, 2/3.
    result = score(tmp_path, plugins, [[10, 0], [15, 5], [20, 10]], directions=["lower", "higher"], method="grey_relational")
    # the first criterion is lower-is-better: min-max turns 10, 15, 20 into 1, 0.5, 0
    np.testing.assert_allclose(result.score, [2 / 3, 1 / 2, 2 / 3])


def test_grey_relational_published_example(tmp_path, plugins):
    # Yıldırım & Önder (eds.), Çok Kriterli Karar Verme Yöntemleri, 2nd ed., Dora 2015, grey relational
    # analysis chapter (reproduced in the JMcDM.jl documentation of `grey`): 5 candidates, 6 criteria,
    # min-max to [0, 1], reference = best values, ρ = 0.5, Δmin/Δmax over the whole matrix.
    data = [[105000, 105, 10, 4, 300, 10], [120000, 110, 15, 4, 500, 8], [150000, 120, 12, 3, 550, 12],
            [115000, 105, 20, 4, 600, 9], [135000, 115, 15, 5, 400, 9]]
    directions = ["lower", "higher", "lower", "higher", "higher", "lower"]
    weights = {"method": "fixed", "params": {"values": dict(zip([f"c{j}" for j in range(6)],
                                                                [0.05, 0.20, 0.10, 0.15, 0.10, 0.40]))}}
    result = score(tmp_path, plugins, data, directions=directions, weighting=weights, method="grey_relational")
    np.testing.assert_allclose(result.score, [0.525, 0.7007142857142857, 0.5464285714285715,
                                              0.5762820512820512, 0.650952380952381], rtol=1e-12)
    assert result.rank.tolist() == [5, 1, 4, 3, 2]


def test_grey_relational_declared_reference_series(tmp_path, plugins):
    # A declared reference (0.5, 0.5) on the [0, 1] scale: units (1, 0), (0.5, 0.5), (0, 1) have Δ (0.5, 0.5),
    # (0, 0), (0.5, 0.5); Δmin = 0, Δmax = 0.5; ξ = 0.25 / (Δ + 0.25): 1/3 for the outer units, 1 for the middle.
    data, directions = [[10, 0], [15, 5], [20, 10]], ["lower", "higher"]
    result = score(tmp_path, plugins, data, directions=directions, method="grey_relational", params={"reference": {"c0": 0.5, "c1": 0.5}})
    np.testing.assert_allclose(result.score, [1 / 3, 1, 1 / 3])
    assert result.details["score"]["details"]["reference"].tolist() == [0.5, 0.5]
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, data, directions=directions, method="grey_relational", params={"reference": {"c0": 1, "cc": 1}})
    [d] = exc.value.diagnostics
    assert d.code == "E_PARAMS" and "none for c1" in d.message and "not children of the node: cc" in d.message
    assert "缺少 c1 的值" in d.text("zh") and "以下不是该节点的组成部分：cc" in d.text("zh")


# ---------------------------------------------------------------- aggregators of a unit's own children

def test_means_median_and_minimum_by_hand(tmp_path, plugins):
    data = [[1, 4, 4], [2, 2, 8], [1, 1, 1], [4, 8, 2]]  # minmax [1, 100] would hide the arithmetic: use none
    weights = {"method": "fixed", "params": {"values": {"c0": 0.5, "c1": 0.25, "c2": 0.25}}}
    harmonic = score(tmp_path, plugins, data, normalise="none", weighting=weights, method="weighted_harmonic_mean").score
    assert harmonic[0] == pytest.approx(1 / (0.5 / 1 + 0.25 / 4 + 0.25 / 4))
    general = score(tmp_path, plugins, data, normalise="none", weighting=weights, method="generalised_mean", params={"p": 2}).score
    assert general[1] == pytest.approx(np.sqrt(0.5 * 4 + 0.25 * 4 + 0.25 * 64))
    geometric = score(tmp_path, plugins, data, normalise="none", weighting=weights, method="geometric_mean").score
    assert score(tmp_path, plugins, data, normalise="none", weighting=weights, method="generalised_mean",
                 params={"p": 0}).score == pytest.approx(geometric)
    # power means rise with p (harmonic ≤ geometric ≤ arithmetic ≤ p = 2)
    arithmetic = score(tmp_path, plugins, data, normalise="none", weighting=weights).score
    assert np.all(harmonic <= geometric + 1e-12) and np.all(geometric <= arithmetic + 1e-12) and np.all(arithmetic <= general + 1e-12)
    median = score(tmp_path, plugins, data, normalise="none", weighting=weights, method="weighted_median").score
    # unit 0: values 1 (0.5), 4 (0.25), 4 (0.25): half the weight is at 1 and half at 4 → midpoint 2.5
    # unit 1: 2 (0.5), 2 (0.25), 8 (0.25) → 2; unit 3: 4 (0.5), 8 (0.25), 2 (0.25): sorted 2, 4, 8 with 0.25, 0.5, 0.25 → 4
    assert median.tolist() == [2.5, 2, 1, 4]
    assert score(tmp_path, plugins, data, normalise="none", weighting=weights, method="minimum").score.tolist() == [1, 2, 1, 2]


def test_mazziotta_pareto_by_hand(tmp_path, plugins):
    # Mazziotta & Pareto (2016), "On a generalized non-compensatory composite index for measuring socio-economic
    # phenomena", Soc. Indic. Res. 127: MPI = M − S·cv on z = 100 ± 10. A unit at (110, 90): M = 100, S = 10,
    # cv = 0.1, MPI = 99; a balanced unit at (100, 100) keeps 100.
    data = [[110, 90], [100, 100]]
    result = score(tmp_path, plugins, data, normalise="none", method="mazziotta_pareto")
    np.testing.assert_allclose(result.score, [99, 100])


def test_mazziotta_pareto_sample_deviation(tmp_path, plugins):
    # deviation "sample" takes S over a unit's k children with k − 1 (as the Compind R package). A unit at
    # (110, 90, 100): M = 100, Σ(z − M)² = 200; population S² = 200/3, penalty 2/3; sample S² = 100, penalty 1.
    data = [[110, 90, 100], [100, 100, 100]]
    population = score(tmp_path, plugins, data, normalise="none", method="mazziotta_pareto")
    sample = score(tmp_path, plugins, data, normalise="none", method="mazziotta_pareto", params={"deviation": "sample"})
    np.testing.assert_allclose(population.score, [100 - 2 / 3, 100])
    np.testing.assert_allclose(sample.score, [99, 100])
    # weights (0.5, 0.25, 0.25): M = 102.5, weighted S² = 68.75, times 3/2 = 103.125; penalty 103.125 / 102.5
    weights = {"method": "fixed", "params": {"values": {"c0": 0.5, "c1": 0.25, "c2": 0.25}}}
    weighted = score(tmp_path, plugins, data, normalise="none", weighting=weights, method="mazziotta_pareto",
                     params={"deviation": "sample", "penalty": "positive"})
    np.testing.assert_allclose(weighted.score, [102.5 + 103.125 / 102.5, 100])


def test_adjusted_mazziotta_pareto_over_periods(tmp_path, plugins):
    # The AMPI (Mazziotta & Pareto 2016): with panel data the range is taken over every period, so a unit
    # that did not change keeps its score while others move. a: 10, 20 (2020) then 30, 20 (2021); b: 100, 140
    # in both years. Reference 20 and 120: a's range 20 spans 60 points (3 a unit), b's 40 (1.5 a unit).
    (tmp_path / "panel.csv").write_text("id,year,a,b\nu1,2020,10,100\nu2,2020,20,140\nu1,2021,30,100\n"
                                        "u2,2021,20,140\n", encoding="utf-8")
    document = {
        "format": "govscore/1", "id": "ampi", "title": "AMPI", "units": {"id": "id", "period": "year"},
        "sources": {"data": {"format": "csv", "path": "panel.csv"}},
        "indicators": {"a": {"column": "a", "normalise": {"method": "ampi", "params": {"reference": 20}}},
                       "b": {"column": "b", "normalise": {"method": "ampi", "params": {"reference": 120}}}},
        "nodes": {"ampi": {"method": "mazziotta_pareto", "children": ["a", "b"]}},
        "score": "ampi",
    }
    result = compile_and_run(write_ruleset(tmp_path, document), plugins)
    np.testing.assert_allclose(result.normalised["a"], [70, 100, 130, 100])
    np.testing.assert_allclose(result.normalised["b"], [70, 130, 70, 130])
    z = np.column_stack([result.normalised["a"], result.normalised["b"]])
    m, s = z.mean(axis=1), z.std(axis=1)
    np.testing.assert_allclose(result.score, m - s * s / m)
    assert result.score[1] == result.score[3]  # u2 unchanged, same score in both years
    # each period on its own range instead: a spans 10 in each year, 6 points a unit: 40, 100, then 160, 100
    document["panel"] = {"normalise": "per_period"}
    per_period = compile_and_run(write_ruleset(tmp_path, document), plugins)
    np.testing.assert_allclose(per_period.normalised["a"], [40, 100, 160, 100])


def test_panel_entropy_pools_every_period(tmp_path, plugins):
    """Panel entropy (面板熵值法): with r years of n units, min-max over all r·n rows and k = 1/ln(r·n), so that
    the weights are one set for every year. Two units over two years: a = 1, 3, 2, 4 (min-max 0, 2/3, 1/3, 1),
    b = 5, 5, 5, 9 (0, 0, 0, 1). Shares of a: 0, 1/3, 1/6, 1/2; E_a = −(1/3 ln 1/3 + 1/6 ln 1/6 + 1/2 ln 1/2) / ln 4
    = 1.011404 / 1.386294 = 0.729574; b's single 1 gives E_b = 0; weights ∝ 1 − E: 0.270426 and 1."""
    (tmp_path / "panel.csv").write_text("id,year,a,b\nu1,2020,1,5\nu2,2020,3,5\nu1,2021,2,5\nu2,2021,4,9\n", encoding="utf-8")
    document = {
        "format": "govscore/1", "id": "panel-entropy", "title": "panel entropy", "units": {"id": "id", "period": "year"},
        "sources": {"data": {"format": "csv", "path": "panel.csv"}}, "normalise": "none",
        "indicators": {"a": {"column": "a", "direction": "higher"}, "b": {"column": "b", "direction": "higher"}},
        "weights": {"w": {"method": "entropy"}},
        "nodes": {"s": {"method": "weighted_sum", "children": ["a", "b"], "weights": "w"}}, "score": "s",
    }
    result = compile_and_run(write_ruleset(tmp_path, document), plugins)
    shares = np.array([1 / 3, 1 / 6, 1 / 2])
    e_a = -(shares * np.log(shares)).sum() / np.log(4)
    assert e_a == pytest.approx(0.729574, abs=1e-6)
    d = np.array([1 - e_a, 1.0])
    assert list(result.weights["s"].values()) == pytest.approx(d / d.sum())


def test_mazziotta_pareto_overtaking_rule(tmp_path, plugins):
    # Mazziotta & Pareto, "Il metodo per la sintesi degli indicatori" (Istat, 2010), §2: the index ranks the unit
    # with the higher mean first only if the difference of the means exceeds the difference of the penalties
    # S·cv. From raw data standardised as the papers do (z = 100 ± 10, population SD over the units).
    rng = np.random.default_rng(7)
    raw = rng.normal(50, 12, size=(40, 4))
    result = score(tmp_path, plugins, raw, method="mazziotta_pareto",
                   normalise={"method": "zscore", "params": {"mean": 100, "sd": 10, "deviation": "population"}})
    z = 100 + 10 * (raw - raw.mean(axis=0)) / raw.std(axis=0)
    m, s = z.mean(axis=1), z.std(axis=1)
    penalty = s * s / m
    np.testing.assert_allclose(result.score, m - penalty)
    i, j = np.triu_indices(len(raw), 1)
    higher_mean = np.where(m[i] > m[j], i, j)
    lower_mean = np.where(m[i] > m[j], j, i)
    first = np.where(m[higher_mean] - m[lower_mean] > penalty[higher_mean] - penalty[lower_mean], higher_mean, lower_mean)
    assert np.all(result.score[first] >= np.maximum(result.score[i], result.score[j]))
    assert np.any(first == lower_mean)  # the case the rule exists for: a more even unit overtakes a higher mean


# ---------------------------------------------------------------- DEA

# One input, one output; worked by hand. Units (input, output): A (1, 1), D (3, 2), B (2, 3), C (4, 4).
# CCR: efficiency = (output/input) / best ratio (B: 1.5): A 2/3, D 4/9, B 1, C 2/3; every unit's peer is B.
# BCC, input oriented: the frontier joins A (1, 1), B (2, 3) and C (4, 4); D must reach output 2, which
# the segment A–B gives at input 1.5, so θ = 1.5/3 = 0.5 with peers A 0.5, B 0.5; A, B, C are efficient.
# BCC, output oriented: at input 3 the segment B–C gives output 3.5, so D's efficiency is 2/3.5 = 4/7.
# Scale efficiency = CCR / BCC (input): A 2/3, D 8/9, B 1, C 2/3.
DEA_UNITS = [[1, 1], [3, 2], [2, 3], [4, 4]]


@pytest.mark.parametrize("model,orientation,expected", [
    ("CCR", "input", [2 / 3, 4 / 9, 1, 2 / 3]),
    ("CCR", "output", [2 / 3, 4 / 9, 1, 2 / 3]),
    ("BCC", "input", [1, 0.5, 1, 1]),
    ("BCC", "output", [1, 4 / 7, 1, 1]),
])
def test_dea_by_hand(tmp_path, plugins, model, orientation, expected):
    result = score(tmp_path, plugins, DEA_UNITS, normalise="none", method="dea",
                   params={"inputs": ["c0"], "model": model, "orientation": orientation})
    np.testing.assert_allclose(result.score, expected, atol=1e-9)
    details = result.details["score"]["details"]
    if (model, orientation) == ("CCR", "input"):  # B scaled to each unit's output
        assert list(details["peers"]) == ["u2 0.333", "u2 0.667", "u2 1", "u2 1.33"]
    elif (model, orientation) == ("BCC", "input"):
        assert details["peers"][1] == "u0 0.5; u2 0.5"
        np.testing.assert_allclose(details["scale_efficiency"], [2 / 3, 8 / 9, 1, 2 / 3])


# Published worked example: Coelli (1996), A Guide to DEAP Version 2.1, CEPA Working Paper 96/08, example
# EG1: five firms, one output and two inputs (y; x1, x2), CRS input oriented, as DEAP prints it.
DEAP_EG1 = [[2, 5, 1], [2, 4, 2], [6, 6, 3], [3, 2, 1], [6, 2, 2]]  # x1, x2, y


def test_dea_reproduces_deap_example_one(tmp_path, plugins):
    """DEAP: te 0.500, 1.000, 0.833, 0.714, 1.000; firm 1's slack on input 2 is 0.5; peers 1: 2 (0.5), 3: 5 and 2
    (0.5, 1.0), 4: 5 and 2 (0.286, 0.214); input targets (1, 2), (2, 4), (5, 5), (2.143, 1.429), (6, 2)."""
    result = score(tmp_path, plugins, DEAP_EG1, normalise="none", method="dea", params={"inputs": ["c0", "c1"]})
    details = result.details["score"]["details"]
    np.testing.assert_allclose(result.nodes["score"], [0.5, 1, 5 / 6, 5 / 7, 1], atol=1e-9)
    np.testing.assert_allclose(details["slack_c1"], [0.5, 0, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(details["slack_c0"], 0, atol=1e-9)
    assert list(details["peers"]) == ["u1 0.5", "u1 1", "u1 1; u4 0.5", "u1 0.214; u4 0.286", "u4 1"]
    np.testing.assert_allclose(np.c_[details["target_c0"], details["target_c1"]],
                               [[1, 2], [2, 4], [5, 5], [15 / 7, 10 / 7], [6, 2]], atol=1e-9)
    np.testing.assert_allclose(details["target_c2"], [1, 2, 3, 1, 2], atol=1e-9)


def test_dea_returns_to_scale_and_targets_by_hand(tmp_path, plugins):
    """BCC, input oriented, the same four units. Returns to scale where scale efficiency is below 1, as DEAP
    finds them by the efficiency under non-increasing returns (Σλ ≤ 1): A's is 2/3 (a third of B), not its BCC 1: increasing;
    D's is 4/9 (two thirds of B), not 0.5: increasing; C's is 1 (C itself), its BCC score: decreasing; B is
    scale efficient: constant. Targets: θ·x − s⁻ and y + s⁺, D (3, 2) → (1.5, 2), on the segment A–B;
    output oriented, D's output grows by 1/θ = 7/4 to 3.5 at input 3."""
    result = score(tmp_path, plugins, DEA_UNITS, normalise="none", method="dea",
                   params={"inputs": ["c0"], "model": "BCC", "orientation": "input"})
    details = result.details["score"]["details"]
    assert list(details["returns_to_scale"]) == ["increasing", "increasing", "constant", "decreasing"]
    bare = score(tmp_path, plugins, DEA_UNITS, normalise="none", method="dea",
                 params={"inputs": ["c0"], "model": "BCC", "scale": False})  # BCC alone, faster
    assert bare.nodes["score"] == pytest.approx(result.nodes["score"])
    assert "scale_efficiency" not in bare.details["score"]["details"] and "returns_to_scale" not in bare.details["score"]["details"]
    np.testing.assert_allclose(details["target_c0"], [1, 1.5, 2, 4], atol=1e-9)
    np.testing.assert_allclose(details["target_c1"], [1, 2, 3, 4], atol=1e-9)
    out = score(tmp_path, plugins, DEA_UNITS, normalise="none", method="dea",
                params={"inputs": ["c0"], "model": "BCC", "orientation": "output"}).details["score"]["details"]
    np.testing.assert_allclose(out["target_c0"][1], 3, atol=1e-9)
    np.testing.assert_allclose(out["target_c1"][1], 3.5, atol=1e-9)



def _radial_by_linprog(X, Y, o, returns, orientation):
    """Unit o's radial efficiency written directly for scipy's linprog: Σλ free (CRS), = 1 (VRS) or ≤ 1 (NIRS)."""
    from scipy.optimize import linprog
    n, m, s = len(X), X.shape[1], Y.shape[1]
    c = np.r_[np.zeros(n), 1.0 if orientation == "input" else -1.0]
    if orientation == "input":
        a = np.vstack([np.c_[X.T, -X[o][:, None]], np.c_[-Y.T, np.zeros((s, 1))]])
        b = np.r_[np.zeros(m), -Y[o]]
    else:
        a = np.vstack([np.c_[X.T, np.zeros((m, 1))], np.c_[-Y.T, Y[o][:, None]]])
        b = np.r_[X[o], np.zeros(s)]
    convex = np.r_[np.ones(n), 0.0][None, :]
    extra = {"VRS": dict(A_eq=convex, b_eq=[1.0]), "NIRS": dict(A_ub=np.vstack([a, convex]), b_ub=np.r_[b, 1.0])}
    res = linprog(c, **{"A_ub": a, "b_ub": b, **extra.get(returns, {})}, bounds=[(0, None)] * (n + 1), method="highs")
    return res.fun if orientation == "input" else 1 / -res.fun



@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["CCR", "BCC"]), st.sampled_from(["input", "output"]))
def test_dea_efficiency_matches_an_independent_solution(seed, model, orientation):
    """Every unit's efficiency against the envelopment programme written for linprog over every unit, within
    1e-9, on random data with duplicated units and units dominated by others (govscore solves over a reference
    set grown by column generation and prices only the units no reference unit dominates)."""
    from govscore.plugins.dea import dea
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, size=(30, 4))
    x = np.vstack([x, x[:5], x[5:10] * np.array([1.5, 1.2, 0.5, 0.9])])  # copies; more input for less output
    got, _ = dea(x, np.ones((1, 4)), {"inputs": ["i0", "i1"], "model": model, "orientation": orientation, "slacks": False},
                 ["i0", "i1", "o0", "o1"])
    expected = [_radial_by_linprog(x[:, :2], x[:, 2:], o, "VRS" if model == "BCC" else "CRS", orientation) for o in range(len(x))]
    np.testing.assert_allclose(got, expected, rtol=1e-9)

@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["input", "output"]), st.booleans())
def test_dea_returns_to_scale_match_deaps_nirs_test(seed, orientation, whole_numbers):
    """DEAP classifies returns to scale by a third programme, under non-increasing returns: where that
    efficiency equals the BCC one, decreasing, else increasing. govscore reads Σλ of the CCR solution
    instead (Seiford & Zhu 1999); on random data (whole numbers too, for ties) the classes must agree."""
    from govscore.plugins.dea import dea
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, size=(25, 4))
    if whole_numbers:
        x = np.round(x)
    _, details = dea(x, np.ones((1, 4)), {"inputs": ["i0", "i1"], "model": "BCC", "orientation": orientation},
                     ["i0", "i1", "o0", "o1"])
    X, Y = x[:, :2], x[:, 2:]
    for o in range(len(x)):
        crs, vrs, nirs = (_radial_by_linprog(X, Y, o, r, orientation) for r in ("CRS", "VRS", "NIRS"))
        expected = ("constant" if crs >= vrs * (1 - 1e-7) else
                    "decreasing" if abs(nirs - vrs) <= 1e-7 * vrs else "increasing")
        assert details["returns_to_scale"][o] == expected, o

# Super-efficiency (Andersen & Petersen 1993) of the same four units, each efficient unit against the others.
# CCR: B's output/input 1.5 over the best of the rest, 1: 1.5 (both orientations). BCC input: A must reach
# output 1 from D, B, C, which B does with input 2: θ = 2; B must reach 3 from A, D, C, which A–C does at
# λ_A = 1/3 with input 3: θ = 1.5; no mix of the others reaches C's output 4: no solution. BCC output: no
# other unit uses input 1 or less, so A has none; B (input 2) gets output 2 from A–C at λ_A = 2/3: 1/φ = 1.5;
# C (input 4) gets output 3 from B: 4/3.
@pytest.mark.parametrize("model,orientation,expected", [
    ("CCR", "input", [2 / 3, 4 / 9, 1.5, 2 / 3]),
    ("CCR", "output", [2 / 3, 4 / 9, 1.5, 2 / 3]),
    ("BCC", "input", [2, 0.5, 1.5, np.nan]),
    ("BCC", "output", [np.nan, 4 / 7, 1.5, 4 / 3]),
])
def test_dea_super_efficiency_by_hand(tmp_path, plugins, model, orientation, expected):
    result = score(tmp_path, plugins, DEA_UNITS, normalise="none", method="dea",
                   params={"inputs": ["c0"], "model": model, "orientation": orientation, "super": True})
    np.testing.assert_allclose(result.nodes["score"], expected, atol=1e-9)
    details = result.details["score"]["details"]
    ordinary = score(tmp_path, plugins, DEA_UNITS, normalise="none", method="dea",
                     params={"inputs": ["c0"], "model": model, "orientation": orientation}).nodes["score"]
    np.testing.assert_allclose(details["efficiency"], ordinary, atol=1e-12)
    infeasible = np.isnan(expected)
    assert list(details["status"]) == ["infeasible" if f else "optimal" for f in infeasible]
    told = [d for d in result.diagnostics if d.code == "W_METHOD" and "super-efficiency has no value" in d.message]
    assert len(told) == int(infeasible.any())
    if infeasible.any():  # named, and left unranked rather than given a made-up number
        unit = f"u{int(np.flatnonzero(infeasible)[0])}"
        assert "for 1 unit(s)" in told[0].message and "efficient (efficiency 1)" in told[0].message
        assert told[0].units == (unit,) and told[0].path == "/nodes/score"
        assert np.isnan(result.rank[infeasible]).all() and any(d.code == "W_NO_SCORE" for d in result.diagnostics)


def _super_by_linprog(X, Y, model, orientation):
    """The Andersen-Petersen programmes written directly for scipy's linprog (envelopment form), every unit."""
    from scipy.optimize import linprog
    n, m, s = len(X), X.shape[1], Y.shape[1]
    out = np.full(n, np.nan)
    for o in range(n):
        others = [j for j in range(n) if j != o]
        c = np.r_[np.zeros(n - 1), 1.0 if orientation == "input" else -1.0]
        if orientation == "input":
            a = np.vstack([np.c_[X[others].T, -X[o][:, None]], np.c_[-Y[others].T, np.zeros((s, 1))]])
            b = np.r_[np.zeros(m), -Y[o]]
        else:
            a = np.vstack([np.c_[X[others].T, np.zeros((m, 1))], np.c_[-Y[others].T, Y[o][:, None]]])
            b = np.r_[X[o], np.zeros(s)]
        eq = dict(A_eq=np.r_[np.ones(n - 1), 0.0][None, :], b_eq=[1.0]) if model == "BCC" else {}
        res = linprog(c, A_ub=a, b_ub=b, bounds=[(0, None)] * n, method="highs", **eq)
        if res.status == 0:
            out[o] = res.fun if orientation == "input" else 1 / -res.fun
    return out


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["CCR", "BCC"]), st.sampled_from(["input", "output"]))
def test_dea_super_efficiency_matches_an_independent_solution(seed, model, orientation):
    """Against the same programmes solved for every unit by scipy's linprog, on random data with 2 inputs and
    2 outputs: equal within 1e-7, the same units without a solution, super-efficiency ≥ 1 exactly for
    the efficient units and equal to the efficiency of the others; unchanged by rescaling a column."""
    from govscore.plugins.dea import dea
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, size=(12, 4))
    params = {"inputs": ["i0", "i1"], "model": model, "orientation": orientation, "super": True}
    children = ["i0", "i1", "o0", "o1"]
    got, details = dea(x, np.ones((1, 4)), params, children, units=[f"u{k}" for k in range(12)])
    expected = _super_by_linprog(x[:, :2], x[:, 2:], model, orientation)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got[~np.isnan(got)], expected[~np.isnan(expected)], rtol=1e-7)
    efficient = details["efficiency"] >= 1 - 1e-7
    assert (got[efficient & ~np.isnan(got)] >= 1 - 1e-9).all()
    np.testing.assert_allclose(got[~efficient], details["efficiency"][~efficient], rtol=1e-9)
    scaled = x * np.array([1e6, 1, 1, 1e-3])
    again, _ = dea(scaled, np.ones((1, 4)), params, children, units=[f"u{k}" for k in range(12)])
    np.testing.assert_allclose(again, got, rtol=1e-6)


def test_dea_slacks_and_invariants(tmp_path, plugins):
    # Two inputs, one output of 1 for every unit. Whatever the peers and slacks, the definition must hold:
    # θ·x_o − s− is the peers' combination of inputs.
    data = np.array([[2, 2, 1], [1, 3, 1], [2, 4, 1], [4, 1, 1], [4, 4, 1]], dtype=float)
    result = score(tmp_path, plugins, data, normalise="none", method="dea", params={"inputs": ["c0", "c1"]})
    eff = result.score
    assert eff.max() == pytest.approx(1) and np.all((eff > 0) & (eff <= 1 + 1e-12))
    details = result.details["score"]["details"]
    # the projection θ·x − s− equals the peers' combination, for every unit
    for i in range(len(data)):
        peers = [(int(p.split()[0][1:]), float(p.split()[1])) for p in details["peers"][i].split("; ")]
        combo = sum(lam * data[j, :2] for j, lam in peers)
        projected = eff[i] * data[i, :2] - np.array([details["slack_c0"][i], details["slack_c1"][i]])
        np.testing.assert_allclose(combo, projected, atol=1e-3)
    # U4 (4, 4) is U0 doubled: efficiency 1/2 with no slack
    assert eff[4] == pytest.approx(0.5) and details["slack_c0"][4] == pytest.approx(0, abs=1e-9)
    # scores do not change when an input or output column is rescaled
    rescaled = data * np.array([10.0, 0.5, 3.0])
    again = score(tmp_path, plugins, rescaled, normalise="none", method="dea", params={"inputs": ["c0", "c1"]})
    np.testing.assert_allclose(again.score, eff, atol=1e-9)
    # BCC efficiency is never below CCR
    bcc = score(tmp_path, plugins, data, normalise="none", method="dea", params={"inputs": ["c0", "c1"], "model": "BCC"})
    assert np.all(bcc.score >= eff - 1e-9)


def test_dea_refuses_non_positive_inputs(tmp_path, plugins):
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, [[0, 1], [1, 2]], normalise="none", method="dea", params={"inputs": ["c0"]})
    [d] = exc.value.diagnostics
    assert d.code == "E_DOMAIN" and d.units == ("u0",)


@pytest.mark.parametrize("method,params", [("dea", {"inputs": ["c0"]}), ("benefit_of_the_doubt", {})])
def test_dea_and_benefit_of_the_doubt_need_two_complete_units(tmp_path, plugins, method, params):
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, [[1, 2]], normalise="none", method=method, params=params)
    [d] = exc.value.diagnostics
    assert d.code == "E_WEIGHTS_DATA" and "at least two units" in d.message
    from govscore.plugins.dea import benefit_of_the_doubt, dea
    aggregate = dea if method == "dea" else benefit_of_the_doubt
    with pytest.raises(EngineError):  # no unit has every child (a missing child has weight 0)
        aggregate(np.array([[np.nan, 1.0], [1.0, np.nan]]), np.array([[0.0, 1.0], [1.0, 0.0]]), params, ["c0", "c1"])


# ---------------------------------------------------------------- more weightings

def test_pca_published_example(tmp_path, plugins):
    # James, Witten, Hastie & Tibshirani, An Introduction to Statistical Learning (2013), §10.2.1, Table 10.1
    # and the §10.4 lab: principal components of the standardised USArrests data (tests/reference/usarrests).
    # Our loadings are the unit eigenvector times √λ; the weights are the first component's entries
    # over their sum.
    from conftest import ROOT
    raw = np.genfromtxt(ROOT / "tests/reference/usarrests/USArrests.csv", delimiter=",", skip_header=1)[:, 1:]
    result = score(tmp_path, plugins, raw, normalise="none", weighting={"method": "pca"})
    details = result.details["score"]["weights"]
    published = np.array([0.5358995, 0.5831836, 0.2781909, 0.5434321])
    sdev = np.array([1.5748783, 0.9948694, 0.5971291, 0.4164494])
    np.testing.assert_allclose(details["eigenvalues"], sdev ** 2, atol=1e-6)
    np.testing.assert_allclose(details["loadings"] / sdev[0], published, atol=1e-7)
    assert details["explained"] == pytest.approx(0.620, abs=5e-4)
    np.testing.assert_allclose(weights_of(result), published / published.sum(), atol=1e-7)


def test_pca_two_children_by_hand(tmp_path, plugins):
    # Two children with correlation r: the correlation matrix [[1, r], [r, 1]] has eigenvalues 1 + r and
    # 1 − r, the first eigenvector (1, 1)/√2, so the weights are equal and the variance explained (1 + r)/2.
    rng = np.random.default_rng(5)
    a = rng.normal(size=40)
    b = a + rng.normal(scale=0.8, size=40)
    r = np.corrcoef(a, b)[0, 1]
    result = score(tmp_path, plugins, np.column_stack([a, b]), weighting={"method": "pca"})
    assert weights_of(result) == pytest.approx([0.5, 0.5])
    assert result.details["score"]["weights"]["explained"] == pytest.approx((1 + r) / 2)
    # pulling against each other: a declared policy decides
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, np.column_stack([a, -b]), normalise="none", weighting={"method": "pca"})
    assert exc.value.diagnostics[0].code == "E_WEIGHTS_DATA" and "negatively" in exc.value.diagnostics[0].message
    both = score(tmp_path, plugins, np.column_stack([a, -b]), normalise="none",
                 weighting={"method": "pca", "params": {"negative": "absolute"}})
    assert weights_of(both) == pytest.approx([0.5, 0.5])


def test_game_theory_combined_weights_by_hand(tmp_path, plugins):
    """博弈论组合赋权 (the combination nearest every set, as in the studies that cite it): u1 = (0.5, 0.3, 0.2),
    u2 = (0.3, 0.3, 0.4). u1·u1 = 0.38, u1·u2 = 0.32, u2·u2 = 0.34; solving 0.38·a1 + 0.32·a2 = 0.38 and
    0.32·a1 + 0.34·a2 = 0.34 gives a1 = 51/67, a2 = 19/67, normalised 51/70 and 19/70, so
    w = (51·0.5 + 19·0.3, 70·0.3, 51·0.2 + 19·0.4) / 70 = (0.445714, 0.3, 0.254286)."""
    sets = {"u1": {"method": "fixed", "params": {"values": {"c0": 0.5, "c1": 0.3, "c2": 0.2}}},
            "u2": {"method": "fixed", "params": {"values": {"c0": 0.3, "c1": 0.3, "c2": 0.4}}}}
    result = score(tmp_path, plugins, [[1, 2, 3], [3, 1, 1], [2, 2, 2]], extra_weights=sets,
                   weighting={"method": "combined", "params": {"of": ["u1", "u2"], "mode": "game_theory"}})
    assert weights_of(result) == pytest.approx([31.2 / 70, 0.3, 17.8 / 70])
    details = result.details["score"]["weights"]
    assert details["alpha_solved"] == pytest.approx([51 / 67, 19 / 67]) and details["alpha"] == pytest.approx([51 / 70, 19 / 70])
    same = tmp_path / "same"
    same.mkdir()  # two equal sets: the combination is that set
    equal = score(same, plugins, [[1, 2, 3], [3, 1, 1]], extra_weights={"u1": sets["u1"], "u2": sets["u1"]},
                  weighting={"method": "combined", "params": {"of": ["u1", "u2"], "mode": "game_theory"}})
    assert weights_of(equal) == pytest.approx([0.5, 0.3, 0.2])


@pytest.mark.parametrize("mode,extra,expected", [
    ("linear", {"alpha": 0.6}, [0.34, 0.26, 0.24, 0.16]),
    ("multiplicative", {}, [0.4081633, 0.2448980, 0.2448980, 0.1020408]),
    ("geometric", {}, [0.3279556, 0.2540333, 0.2540333, 0.1639778]),
    ("game_theory", {}, [0.3735683, 0.2823789, 0.2176211, 0.1264317])])
def test_combined_weights_published_example(tmp_path, plugins, mode, extra, expected):
    """张敬信, mathmodels 包使用手册, 主客观组合赋权: subjective (0.4, 0.3, 0.2, 0.1) and objective
    (0.25, 0.2, 0.3, 0.25) combined linearly (α = 0.6), multiplicatively, by the geometric mean (博弈均衡几何平均)
    and by the game-theory optimal linear combination (博弈最优线性组合), as printed there."""
    sets = {"s": {"method": "fixed", "params": {"values": {"c0": 0.4, "c1": 0.3, "c2": 0.2, "c3": 0.1}}},
            "o": {"method": "fixed", "params": {"values": {"c0": 0.25, "c1": 0.2, "c2": 0.3, "c3": 0.25}}}}
    result = score(tmp_path, plugins, [[1, 2, 3, 4], [3, 1, 1, 2], [2, 2, 2, 1]], extra_weights=sets,
                   weighting={"method": "combined", "params": {"of": ["s", "o"], "mode": mode, **extra}})
    assert weights_of(result) == pytest.approx(expected, abs=5e-8)


DELPHI = [{"c0": 9, "c1": 7, "c2": 5, "c3": 3}, {"c0": 8, "c1": 8, "c2": 6, "c3": 4}, {"c0": 9, "c1": 6, "c2": 7, "c3": 5}]


def test_delphi_consolidation_by_hand(tmp_path, plugins):
    """Three experts score four children (expert 2 ties c0 and c1). Ranks within each expert: (4, 3, 2, 1),
    (3.5, 3.5, 2, 1), (4, 2, 3, 1); rank sums 11.5, 8.5, 7, 3 about their mean 7.5, so S = 37.5. The tie
    correction is T = 2³ − 2 = 6 (Kendall & Babington Smith 1939): W = 12·37.5 / (3²·(4³ − 4) − 3·6) = 450/522 =
    0.862069; χ² = 3·3·W = 7.758621 on 3 degrees of freedom. Means 26/3, 7, 6, 4 give the weights."""
    from scipy.stats import chi2
    result = score(tmp_path, plugins, [[1, 2, 3, 4], [4, 3, 2, 1], [2, 2, 3, 3]],
                   weighting={"method": "delphi", "params": {"experts": DELPHI, "full_mark": 9}})
    means = np.array([26 / 3, 7, 6, 4])
    assert weights_of(result) == pytest.approx(means / means.sum())
    details = result.details["score"]["weights"]
    concordance = details["concordance"]
    assert concordance["W"] == pytest.approx(450 / 522) and concordance["chi2"] == pytest.approx(9 * 450 / 522)
    assert concordance["df"] == 3 and concordance["p"] == pytest.approx(chi2.sf(9 * 450 / 522, 3))
    assert details["full_mark_rate"] == pytest.approx([2 / 3, 0, 0, 0])
    assert details["cv"][0] == pytest.approx(np.std([9, 8, 9], ddof=1) / (26 / 3))
    said = [d.message for d in result.diagnostics if d.code == "W_METHOD"]
    assert len(said) == 2 and 'disagree on "c3": its coefficient of variation is 0.25' in said[0]  # sd 1 over mean 4
    assert "Kendall's W = 0.862, p = 0.0513" in said[1]  # not significant at 0.05


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 8).flatmap(lambda m: st.integers(3, 7).flatmap(
    lambda n: st.lists(st.lists(st.integers(1, 5), min_size=n, max_size=n), min_size=m, max_size=m))))
def test_kendall_w_agrees_with_the_friedman_test(scores):
    """Kendall's W corrected for ties is the tie-corrected Friedman statistic over m(n − 1) (Kendall &
    Babington Smith 1939; Friedman 1937): checked against scipy's independent friedmanchisquare on expert
    scores with many ties."""
    from scipy.stats import friedmanchisquare
    from govscore.plugins.delphi import kendall_w
    x = np.array(scores, dtype=float)  # experts × children
    if any(np.ptp(row) == 0 for row in x):
        return  # an expert who scores every child alike leaves the Friedman statistic undefined
    m, n = x.shape
    concordance = kendall_w(x)
    statistic = friedmanchisquare(*x.T).statistic
    assert concordance["chi2"] == pytest.approx(statistic) and concordance["W"] == pytest.approx(statistic / (m * (n - 1)))


@pytest.mark.parametrize("experts,w", [
    # six teachers grade six papers, no ties: R = 19, 8, 11, 31, 23, 34, S = 546, W = 12·546 / (36·210) = 0.87
    ([[3, 1, 2, 5, 4, 6], [2, 1, 3, 4, 5, 6], [3, 2, 1, 5, 4, 6], [4, 1, 2, 6, 3, 5], [3, 1, 2, 6, 4, 5],
      [4, 2, 1, 5, 3, 6]], 0.87),
    # three experts, two of them with tied grades: T = 6 and 12, W = 12·130 / (9·210 − 3·18) = 0.85
    ([[1, 4, 2.5, 5, 6, 2.5], [2, 3, 1, 5, 6, 4], [1.5, 3, 1.5, 4, 5.5, 5.5]], 0.85)])
def test_kendall_w_textbook_examples(tmp_path, plugins, experts, w):
    """The two worked examples of Kendall's W in the psychology and education statistics textbooks
    (张厚粲、徐建平《现代心理与教育统计学》, 肯德尔和谐系数, 例 1 and 例 2), given as each expert's grades."""
    names = [f"c{j}" for j in range(6)]
    result = score(tmp_path, plugins, np.arange(36.0).reshape(6, 6) % 7 + 1, weighting={
        "method": "delphi", "params": {"experts": [dict(zip(names, row)) for row in experts]}})
    assert result.details["score"]["weights"]["concordance"]["W"] == pytest.approx(w, abs=0.005)


def test_delphi_perfect_agreement_and_bad_input(tmp_path, plugins):
    same = [{"c0": 5, "c1": 3, "c2": 1}] * 4
    result = score(tmp_path, plugins, [[1, 2, 3], [3, 1, 1]], weighting={"method": "delphi", "params": {"experts": same}})
    concordance = result.details["score"]["weights"]["concordance"]
    assert concordance["W"] == pytest.approx(1) and not [d for d in result.diagnostics if d.code == "W_METHOD"]
    assert weights_of(result) == pytest.approx([5 / 9, 3 / 9, 1 / 9])
    with pytest.raises(AssertionError) as exc:  # an expert who skipped a child is told, with the child
        score(tmp_path, plugins, [[1, 2, 3], [3, 1, 1]], weighting={"method": "delphi", "params": {
            "experts": [{"c0": 5, "c1": 3}, {"c0": 4, "c1": 3, "c2": 2}]}})
    assert "E_WEIGHTS_MISSING" in str(exc.value) and "c2" in str(exc.value)


def test_rank_sum_ratio_by_hand(tmp_path, plugins):
    """秩和比 (田凤调 1988). Five units, two children with equal weights: ranks (1, 2, 3, 4, 5) and (2, 1, 4, 3, 5),
    so RSR = ΣR / (2·5) = 0.3, 0.3, 0.7, 0.7, 1.0. The distinct values hold units of mean rank 1.5, 3.5 and 5: p =
    0.3, 0.7 and 1, the last corrected to 1 − 1/(4·5) = 0.95; probits 5 + Φ⁻¹(p) = 4.475599, 5.524401, 6.644854.
    Least squares over the three: RSR = −1.120252 + 0.322067·probit (R² = 0.989761), fitted 0.321190, 0.658974,
    1.019835. With three grades cut at probits 4 and 6: 中, 中, 中, 中, 上."""
    x = [[1, 2], [2, 1], [3, 4], [4, 3], [5, 5]]
    result = score(tmp_path, plugins, x, normalise="none", method="rank_sum_ratio")
    details = result.details["score"]["details"]
    assert result.nodes["score"] == pytest.approx([0.3, 0.3, 0.7, 0.7, 1.0])
    assert details["probit"] == pytest.approx([4.475599, 4.475599, 5.524401, 5.524401, 6.644854], abs=1e-6)
    regression = details["regression"]
    assert regression["intercept"] == pytest.approx(-1.120252, abs=1e-6) and regression["slope"] == pytest.approx(0.322067, abs=1e-6)
    assert regression["r2"] == pytest.approx(0.989761, abs=1e-6)
    assert details["fitted"] == pytest.approx([0.321190, 0.321190, 0.658974, 0.658974, 1.019835], abs=1e-6)
    assert list(details["grade"]) == ["中", "中", "中", "中", "上"]
    assert details["thresholds"]["RSR"] == pytest.approx([-1.120252 + 0.322067 * 4, -1.120252 + 0.322067 * 6], abs=1e-5)
    # 田凤调's cumulative count: p = 2/5, 4/5 and 1 → 0.95; weights change the ranks' shares; non-integer ranks
    other = tmp_path / "other"
    other.mkdir()
    cumulative = score(other, plugins, x, normalise="none", method="rank_sum_ratio", params={"percent": "cumulative"})
    assert cumulative.details["score"]["details"]["probit"][[0, 2, 4]] == pytest.approx([4.746653, 5.841621, 6.644854], abs=1e-6)
    weighted = score(other, plugins, x, normalise="none", method="rank_sum_ratio",
                     weighting={"method": "fixed", "params": {"values": {"c0": 0.8, "c1": 0.2}}})
    assert weighted.nodes["score"] == pytest.approx([(0.8 * a + 0.2 * b) / 5 for a, b in ([1, 2], [2, 1], [3, 4], [4, 3], [5, 5])])
    scaled = score(other, plugins, [[10, 1], [20, 3], [40, 5]], normalise="none", method="rank_sum_ratio",
                   params={"ranks": "non_integer", "value": "fitted", "levels": 4})
    r = np.array([[1, 1], [1 + 2 * 10 / 30, 2], [3, 3]])  # 1 + (n − 1)·(x − min)/(max − min)
    assert scaled.details["score"]["details"]["RSR"] == pytest.approx(r.mean(axis=1) / 3)
    assert scaled.nodes["score"] == pytest.approx(scaled.details["score"]["details"]["fitted"])
    assert set(scaled.details["score"]["details"]["grade"]) <= {"差", "中", "良", "优"}


# Published worked example: 田凤调's 孕产妇保健 data as in the textbooks (孙振球 主编《医学统计学》, the RSR
# chapter) and reproduced in 张敬信, mathmodels 包使用手册, 第 9 章 秩和比法 (9.2 案例：孕产妇保健评价): ten
# regions, 产前检查率 (higher is better), 孕妇死亡率 and 围产儿死亡率 (lower is better).
MATERNAL = [[99.54, 60.27, 16.15], [96.52, 59.67, 20.10], [99.36, 43.91, 15.60], [92.83, 58.99, 17.04],
            [91.71, 35.40, 15.01], [95.35, 44.71, 13.93], [96.09, 49.81, 17.43], [99.27, 31.69, 13.89],
            [94.76, 22.91, 19.87], [84.80, 81.49, 23.63]]


def test_rank_sum_ratio_published_example(tmp_path, plugins):
    """Integer ranks, equal weights: RSR A…J = 0.6, 0.4, 0.767, 0.4, 0.6, 0.667, 0.5, 0.9, 0.567, 0.1; probits of the
    mean ranks over n (the last corrected to 1 − 1/40 = 0.975) 3.72 … 6.96; RSR = −0.60855 + 0.22169·Probit over the
    eight distinct values, R² = 0.9379. Non-integer ranks with the book's entropy weights (0.2945205, 0.3631078,
    0.3423717): RSR J … H = 0.1, 0.544, 0.578, 0.676, 0.720, 0.725, 0.754, 0.802, 0.826, 0.946, fitted J 0.366, H 1.03."""
    directions = ["higher", "lower", "lower"]
    # min-max keeps each indicator's order (reversed where lower is better) and its linear spacing, which is all
    # integer and non-integer ranks see (the book reverses by 1/x and max − x)
    result = score(tmp_path, plugins, MATERNAL, directions=directions, method="rank_sum_ratio")
    details = result.details["score"]["details"]
    assert details["RSR"] == pytest.approx([0.6, 0.4, 23 / 30, 0.4, 0.6, 2 / 3, 0.5, 0.9, 17 / 30, 0.1])
    assert details["probit"] == pytest.approx([5.39, 4.33, 6.28, 4.33, 5.39, 5.84, 4.75, 6.96, 5.00, 3.72], abs=0.005)
    regression = details["regression"]
    assert regression["intercept"] == pytest.approx(-0.60855, abs=5e-6) and regression["slope"] == pytest.approx(0.22169, abs=5e-6)
    assert regression["r2"] == pytest.approx(0.9379, abs=5e-5)
    assert details["fitted"] == pytest.approx([0.585, 0.350, 0.784, 0.350, 0.585, 0.686, 0.444, 0.934, 0.500, 0.216], abs=5e-4)
    other = tmp_path / "non_integer"
    other.mkdir()
    entropy = {"method": "fixed", "params": {"values": {"c0": 0.2945205, "c1": 0.3631078, "c2": 0.3423717}}}
    result = score(other, plugins, MATERNAL, directions=directions, method="rank_sum_ratio", weighting=entropy, params={"ranks": "non_integer"})
    details = result.details["score"]["details"]
    assert details["RSR"] == pytest.approx([0.720, 0.544, 0.826, 0.578, 0.754, 0.802, 0.676, 0.946, 0.725, 0.1], abs=5e-4)
    assert details["fitted"][[9, 7]] == pytest.approx([0.366, 1.03], abs=5e-3)


def test_rank_sum_ratio_ranks_complete_cases(tmp_path, plugins):
    """A unit missing a child is not ranked: the others' ranks and RSR are those of the data without it."""
    rows = MATERNAL[:5] + [[np.nan, 40.0, 15.0]]  # kept with "leave": the node decides
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_gap = score(tmp_path / "a", plugins, rows, normalise="none", method="rank_sum_ratio", missing="leave")
    without = score(tmp_path / "b", plugins, MATERNAL[:5], normalise="none", method="rank_sum_ratio")
    got = with_gap.details["score"]["details"]
    assert np.isnan(with_gap.nodes["score"][5]) and np.isnan(got["probit"][5])
    assert got["RSR"][:5] == pytest.approx(without.details["score"]["details"]["RSR"])
    assert got["probit"][:5] == pytest.approx(without.details["score"]["details"]["probit"])


def test_rank_sum_ratio_bad_input(tmp_path, plugins):
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, [[1, 2], [2, 1]], normalise="none", method="rank_sum_ratio")
    assert "at least three units" in str(exc.value)
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, [[1, 2], [2, 1], [3, 3]], normalise="none", method="rank_sum_ratio",
              params={"probits": [5], "labels": ["low", "middle", "high"]})
    assert "2 grades need 2 labels; the ruleset gives 3" in str(exc.value)
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, [[1, 2], [2, 1], [3, 3]], normalise="none", method="rank_sum_ratio", params={"probits": [6, 4]})
    assert "cut points must ascend; the ruleset gives 6, 4" in str(exc.value)


def test_g1_order_relation_by_hand(tmp_path, plugins):
    """序关系分析法 (G1): c1 > c2 > c0 with r2 = w(c1)/w(c2) = 1.2 and r3 = w(c2)/w(c0) = 1.4. Then
    w(c0) = 1 / (1 + 1.2·1.4 + 1.4) = 1/4.08 = 0.245098, w(c2) = 1.4·w(c0) = 0.343137, w(c1) = 1.2·w(c2) = 0.411765."""
    g1 = {"method": "g1", "params": {"order": ["c1", "c2", "c0"], "ratios": [1.2, 1.4]}}
    result = score(tmp_path, plugins, [[1, 2, 3], [3, 1, 1], [2, 2, 2]], weighting=g1)
    assert weights_of(result) == pytest.approx([1 / 4.08, 1.2 * 1.4 / 4.08, 1.4 / 4.08])
    equal = {"method": "g1", "params": {"order": ["c0", "c1", "c2"], "ratios": [1, 1]}}
    assert weights_of(score(tmp_path, plugins, [[1, 2, 3], [3, 1, 1]], weighting=equal)) == pytest.approx([1 / 3] * 3)
    with pytest.raises((AssertionError, EngineError)) as exc:
        score(tmp_path, plugins, [[1, 2, 3], [3, 1, 1]], weighting={"method": "g1", "params": {"order": ["c0", "c1", "c2"],
                                                                                              "ratios": [1.2]}})
    assert "one ratio for each neighbour in the order, 2; the ruleset gives 1" in str(exc.value)
    with pytest.raises((AssertionError, EngineError)) as exc:
        score(tmp_path, plugins, [[1, 2, 3], [3, 1, 1]], weighting={"method": "g1", "params": {"order": ["c0", "c1"], "ratios": [1.2]}})
    assert "must list exactly the node's children" in str(exc.value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([1.0, 1.2, 1.4, 1.6, 1.8]), min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_g1_weights_keep_every_declared_ratio(ratios, rng):
    """The defining property of G1: w(order[k−1]) / w(order[k]) = r_k for each neighbour, weights summing to 1,
    in whatever order the children are listed."""
    from govscore.plugins.weightings import g1
    children = [f"c{j}" for j in range(len(ratios) + 1)]
    order = children[:]
    rng.shuffle(order)
    w, _ = g1(children, {"order": order, "ratios": ratios}, None)
    by = dict(zip(children, w))
    assert sum(w) == pytest.approx(1)
    assert [by[a] / by[b] for a, b in zip(order, order[1:])] == pytest.approx(ratios)


def test_budget_allocation_by_hand(tmp_path, plugins):
    # Expert 1 gives 50, 30, 20 points (shares 0.5, 0.3, 0.2); expert 2 gives 20, 20, 10 of 50 (0.4, 0.4, 0.2).
    # The weights are the mean shares: 0.45, 0.35, 0.2.
    experts = [{"c0": 50, "c1": 30, "c2": 20}, {"c0": 20, "c1": 20, "c2": 10}]
    result = score(tmp_path, plugins, [[1, 2, 3], [3, 1, 1]], weighting={"method": "budget_allocation", "params": {"experts": experts}})
    assert weights_of(result) == pytest.approx([0.45, 0.35, 0.2])


def test_combined_subjective_and_objective_weights(tmp_path, plugins):
    # Subjective: AHP with c0 twice c1 (2/3, 1/3). Objective: standard deviations of the min-max scaled data,
    # which for (0, 1) and (0, 0.5, 1)-shaped columns are computed below. Linear α = 0.6, then multiplicative.
    data = np.array([[1.0, 10], [2, 30], [3, 20], [4, 40]])
    subjective = {"method": "ahp", "params": {"matrix": [[1, 2], [None, 1]]}}
    objective = {"method": "standard_deviation"}
    scaled = (data - data.min(axis=0)) / np.ptp(data, axis=0)
    sd = scaled.std(axis=0, ddof=1)
    sd = sd / sd.sum()
    for mode, expected in (("linear", 0.6 * np.array([2 / 3, 1 / 3]) + 0.4 * sd),
                           ("multiplicative", np.array([2 / 3, 1 / 3]) * sd / (np.array([2 / 3, 1 / 3]) * sd).sum())):
        path = tmp_path / mode
        path.mkdir()
        result = score(path, plugins, data, weighting={"method": "combined",
                                                       "params": {"of": ["ahp_w", "sd_w"], "alpha": 0.6, "mode": mode}},
                       extra_weights={"ahp_w": subjective, "sd_w": objective})
        assert weights_of(result) == pytest.approx(expected)
        parts = result.details["score"]["weights"]["components"]
        assert list(parts) == ["ahp_w", "sd_w"] and parts["ahp_w"]["consistency"]["CR"] == pytest.approx(0)


# Published worked example: Thore & Rich (2002), in Thore (ed.), Technology Commercialization: DEA and Related
# Analytical Methods, Kluwer, ch. 2, p. 63: 14 directional-drilling R&D projects of Baker Hughes, one input
# (expected cost, $M) and four outputs; BCC input-oriented efficiencies as published there and reproduced in
# Anderson, Data Envelopment Analysis Using R, ch. 9 ("Revisiting Technology Commercialization").
BAKER_HUGHES_X = [1.07, 1.06, 0.325, 1.6, 0.55, 0.2, 0.35, 0.53, 0.21, 0.16, 0.07, 1.95, 5.59, 3.1]
BAKER_HUGHES_Y = [[32, 50, 40, 30, 25, 8, 2, 12, 10, 0.8, 3, 300, 60, 240],
                  [8.2, 7.6, 7.6, 7.1, 7, 6, 5.9, 5.8, 5.8, 5.4, 5.3, 6.8, 6.2, 6.2],
                  [7.5, 7.2, 7.1, 7.2, 7, 6.1, 6.2, 5.8, 5.8, 5.6, 5.4, 6.1, 6.9, 6.6],
                  [8, 6.4, 5.3, 5.5, 5.1, 6.9, 6.6, 5.4, 4.7, 6.1, 6.5, 6.4, 6.8, 7.1]]
BAKER_HUGHES_BCC = [1, 0.6544, 1, 0.3195, 0.5636, 1, 0.596, 0.2488, 0.619, 0.625, 1, 1, 0.1363, 1]


def test_dea_one_input_published_example_and_benefit_of_the_doubt(tmp_path, plugins):
    x, y = np.array(BAKER_HUGHES_X), np.array(BAKER_HUGHES_Y).T
    bcc = score(tmp_path, plugins, np.column_stack([x, y]), normalise="none", method="dea",
                params={"inputs": ["c0"], "model": "BCC"})
    np.testing.assert_allclose(bcc.score, BAKER_HUGHES_BCC, atol=5e-5)
    # With one input and constant returns to scale, a unit's efficiency is the benefit-of-the-doubt composite
    # of its outputs per unit of input (Cherchye et al. 2007, §3: BoD is DEA with a unit "helmsman" input).
    ccr = score(tmp_path, plugins, np.column_stack([x, y]), normalise="none", method="dea", params={"inputs": ["c0"]})
    bod = score(tmp_path, plugins, y / x[:, None], normalise="none", method="benefit_of_the_doubt")
    np.testing.assert_allclose(bod.score, ccr.score, atol=1e-9)
    assert np.all(ccr.score <= np.array(BAKER_HUGHES_BCC) + 5e-5)  # CRS envelops less than VRS


def test_benefit_of_the_doubt_by_hand(tmp_path, plugins):
    # Two indicators, already on a common scale: A (1, 0.2), B (0.5, 0.5), C (0.2, 1), D (0.4, 0.4).
    # A and C are best on one indicator each, so score 1. B's best weights are the u with u·A ≤ 1 and u·C ≤ 1
    # that maximise u·B: by symmetry u1 = u2 = 1/1.2, so B = 0.5·2/1.2 = 5/6 and D = 0.4·2/1.2 = 2/3.
    data = [[1, 0.2], [0.5, 0.5], [0.2, 1], [0.4, 0.4]]
    result = score(tmp_path, plugins, data, normalise="none", method="benefit_of_the_doubt")
    np.testing.assert_allclose(result.score, [1, 5 / 6, 1, 2 / 3], atol=1e-9)
    # With each indicator carrying at least 30% of a unit's score, A can no longer lean on its first one:
    # 0.2·u2 ≥ 0.3·(u1 + 0.2·u2) gives u2 ≥ (0.3/0.14)·u1, and C's constraint 0.2·u1 + u2 ≤ 1 binds:
    # u1 = 1/(0.2 + 0.3/0.14), A = u1·(1 + 0.2·0.3/0.14).
    bounded = score(tmp_path, plugins, data, normalise="none", method="benefit_of_the_doubt",
                    params={"shares": {"c0": [0.3, None], "c1": [0.3, None]}})
    u1 = 1 / (0.2 + 0.3 / 0.14)
    assert bounded.score[0] == pytest.approx(u1 * (1 + 0.2 * 0.3 / 0.14))
    assert np.all(bounded.score <= result.score + 1e-9)
    details = bounded.details["score"]["details"]
    shares = details["weight_c0"] * np.array(data)[:, 0] / bounded.score
    assert np.all(shares >= 0.3 - 1e-9) and np.all(shares <= 0.7 + 1e-9)


def test_hierarchical_ahp_global_weights_and_total_consistency(tmp_path, plugins):
    # Two levels: the top compares groups G1 and G2 (consistent, 3 : 1); G1 compares c0, c1 (consistent, 1 : 1);
    # G2 compares c2, c3, c4 with an inconsistent matrix that the ruleset accepts.
    # Global weights are products: c0 = c1 = 0.75·0.5. Total CR = Σ a·CI / Σ a·RI with a = 1 (top), 0.75 (G1),
    # 0.25 (G2); a 2 × 2 matrix has CI = 0 and RI = 0, so CR = 0.25·CI(G2) / (0.25·RI(3) = 0.25·0.58).
    data = np.random.default_rng(2).uniform(1, 10, size=(6, 5))
    names = [f"c{j}" for j in range(5)]
    lines = ["id," + ",".join(names)] + [f"u{i}," + ",".join(repr(float(v)) for v in row) for i, row in enumerate(data)]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    g2 = [[1, 3, "1/2"], [None, 1, 4], [None, None, 1]]
    document = {
        "format": "govscore/1", "id": "hier", "title": "hierarchical AHP", "units": {"id": "id"},
        "sources": {"d": {"format": "csv", "path": "data.csv"}},
        "indicators": {n: {"column": n} for n in names},
        "weights": {"top": {"method": "ahp", "params": {"matrix": [[1, 3], [None, 1]]}},
                    "w1": {"method": "ahp", "params": {"matrix": [[1, 1], [None, 1]]}},
                    "w2": {"method": "ahp", "params": {"matrix": g2, "accept_inconsistency": True}}},
        "nodes": {"G1": {"method": "weighted_mean", "children": ["c0", "c1"], "weights": "w1"},
                  "G2": {"method": "weighted_mean", "children": ["c2", "c3", "c4"], "weights": "w2"},
                  "score": {"method": "weighted_mean", "children": ["G1", "G2"], "weights": "top"}},
        "score": "score",
    }
    result = compile_and_run(write_ruleset(tmp_path, document), plugins)
    global_weights = result.effective_weights()
    assert global_weights["c0"] == pytest.approx(0.375) and global_weights["c1"] == pytest.approx(0.375)
    local = result.weights["G2"]
    assert global_weights["c3"] == pytest.approx(0.25 * local["c3"])
    assert sum(global_weights[n] for n in names) == pytest.approx(1)
    ci2 = result.details["G2"]["weights"]["consistency"]["CI"]
    consistency = result.hierarchy_consistency()
    assert consistency["nodes"] == ["G1", "G2", "score"]
    assert consistency["CR"] == pytest.approx(0.25 * ci2 / (0.25 * 0.58))


# Published worked example: the radial models page of the DataEnvelopmentAnalysis.jl documentation
# (Barbero & Zofío), 11 units, 2 inputs, 1 output; efficiencies and slacks as printed there (output-oriented
# efficiency is printed as φ, ours is 1/φ).
DEA_X = [[5, 13], [16, 12], [16, 26], [17, 15], [18, 14], [23, 6], [25, 10], [27, 22], [37, 14], [42, 25], [5, 17]]
DEA_Y = [12, 14, 25, 26, 8, 9, 27, 30, 31, 26, 12]


@pytest.mark.parametrize("model,orientation,expected,slacks", [
    ("CCR", "input", [1.0, 0.62229, 0.819856, 1.0, 0.310371, 0.555556, 1.0, 0.757669, 0.820106, 0.490566, 1.0],
     {("c0", 5): 4.44444, ("c0", 8): 1.64021, ("c1", 10): 4.0}),
    ("BCC", "input", [1.0, 0.869986, 1.0, 1.0, 0.71164, 1.0, 1.0, 1.0, 1.0, 0.493121, 1.0],
     {("c2", 4): 2.69841, ("c1", 10): 4.0}),
    ("BCC", "output", [1 / p for p in (1.0, 1.50752, 1.0, 1.0, 3.20395, 1.0, 1.0, 1.0, 1.0, 1.19231, 1.0)],
     {("c0", 9): 5.0, ("c1", 9): 11.0, ("c1", 10): 4.0}),
])
def test_dea_published_example(tmp_path, plugins, model, orientation, expected, slacks):
    data = np.column_stack([np.array(DEA_X, float), DEA_Y])
    result = score(tmp_path, plugins, data, normalise="none", method="dea",
                   params={"inputs": ["c0", "c1"], "model": model, "orientation": orientation})
    np.testing.assert_allclose(result.score, expected, rtol=1e-5)
    details = result.details["score"]["details"]
    for j in range(3):
        found = details[f"slack_c{j}"]
        for i in range(11):
            assert found[i] == pytest.approx(slacks.get((f"c{j}", i), 0.0), abs=1e-4), (j, i)

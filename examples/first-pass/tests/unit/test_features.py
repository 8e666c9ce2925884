import pytest

from churn.features import add_ratios, clean, make_preprocessor


def test_clean_fills_blank_total_charges_for_new_customers(customers):
    cleaned = clean(customers)
    new = cleaned["tenure_months"] == 0
    assert (cleaned.loc[new, "total_charges"] == 0.0).all()
    assert cleaned["total_charges"].notna().all()


def test_clean_maps_target_to_int(customers):
    assert set(clean(customers)["churned"].unique()) <= {0, 1}


def test_avg_monthly_spend(customers):
    frame = add_ratios(clean(customers))
    row = frame[frame["tenure_months"] > 0].iloc[0]
    expected = row["total_charges"] / row["tenure_months"]
    assert row["avg_monthly_spend"] == pytest.approx(expected)
    new = frame[frame["tenure_months"] == 0]
    assert (new["avg_monthly_spend"] == new["monthly_charges"]).all()


def test_preprocessor_one_hot_encodes_categories(customers):
    frame = add_ratios(clean(customers))
    pre = make_preprocessor(["tenure_months", "avg_monthly_spend"], ["contract"])
    out = pre.fit_transform(frame)
    assert out.shape == (len(frame), 2 + frame["contract"].nunique())

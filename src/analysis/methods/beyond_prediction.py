"""Beyond prediction ('Cracking the Code'): which schools' disadvantaged pupils do far better than the
school's intake predicts?

Weighted least squares of a school's disadvantaged 5ACEM % on its KS2 average point score and its %
disadvantaged pupils, each school weighted by its disadvantaged cohort.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .codebreakers import _check_min_cohort, usable

MODEL_FORMULA = "pct_5acem_disadvantaged ~ ks2_aps + pct_disadvantaged"


def fit_prediction_model(schools: pd.DataFrame, *, min_cohort: int = 10):
    """Weighted least squares of disadvantaged 5ACEM % on KS2 APS and % disadvantaged, weights = disadvantaged
    cohort (a school's rate is a proportion, whose variance falls as 1 / cohort).

    Uses schools with a usable disadvantaged rate, at least ``min_cohort`` disadvantaged pupils and a KS2 APS.
    Returns the statsmodels results (``.summary()`` for reviewers; ``.model.data.frame`` is the data used).
    """
    import statsmodels.formula.api as smf

    min_cohort = _check_min_cohort(min_cohort)
    data = usable(schools, "disadvantaged")
    data = data[(data["pupils_disadvantaged"] >= min_cohort) & data["ks2_aps"].notna() & data["pct_disadvantaged"].notna()]
    data = data.sort_values("urn", kind="stable").reset_index(drop=True)
    if len(data) < 10:
        raise ParameterError(f"min_cohort: {min_cohort} leaves {len(data)} schools, too few to fit the model")
    return smf.wls(MODEL_FORMULA, data=data, weights=data["pupils_disadvantaged"]).fit()


def beyond_prediction(results, *, far_above: float = 2.0) -> pd.DataFrame:
    """Each modelled school's predicted and actual disadvantaged 5ACEM %, residual and Pearson residual.

    The Pearson residual is residual x sqrt(cohort / scale): how many standard errors a school of that cohort
    size sits above its prediction. ``far_above_prediction`` when it exceeds ``far_above``. Sorted by Pearson
    residual, highest first (URN breaks ties).
    """
    data = results.model.data.frame
    out = data[["urn", "school_name", "la_name", "region", "pupils_disadvantaged", "ks2_aps", "pct_disadvantaged",
                "pct_5acem_disadvantaged"]].copy()
    out["predicted"] = np.asarray(results.fittedvalues)
    out["residual"] = out["pct_5acem_disadvantaged"] - out["predicted"]
    out["pearson_residual"] = out["residual"] * np.sqrt(out["pupils_disadvantaged"] / results.scale)
    out["far_above_prediction"] = out["pearson_residual"] > far_above
    return out.sort_values(["pearson_residual", "urn"], ascending=[False, True], kind="stable").reset_index(drop=True)


def model_table(results) -> pd.DataFrame:
    """The fitted model for reviewers: each term's coefficient, standard error, t, p and 95% interval, and the
    schools used and R² (statsmodels' own ``summary()`` prints the time it was made, so a report built from it
    would differ every run).

    >>> import statsmodels.formula.api as smf
    >>> d = pd.DataFrame({"y": [1.0, 3.0, 5.0, 7.5], "x": [0.0, 1.0, 2.0, 3.0]})
    >>> model_table(smf.wls("y ~ x", data=d, weights=[1, 1, 1, 1]).fit())["coefficient"].round(2).tolist()
    [0.9, 2.15]
    """
    ci = results.conf_int(0.05)
    table = pd.DataFrame({"term": list(results.params.index), "coefficient": results.params.to_numpy(),
                          "std_error": results.bse.to_numpy(), "t": results.tvalues.to_numpy(),
                          "p_value": results.pvalues.to_numpy(), "ci_low": ci[0].to_numpy(), "ci_high": ci[1].to_numpy()})
    table["schools"] = int(results.nobs)
    table["r_squared"] = float(results.rsquared)
    return table

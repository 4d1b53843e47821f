"""Placement matching: plain data in; ranked, explained recommendations, learned weights, evaluation and allocations out."""

from typing import TYPE_CHECKING

from matching.allocation import AllocationReport, allocation_report, stable_allocation, welfare_allocation
from matching.constraints import CONSTRAINTS, distance_km, is_feasible, violations
from matching.explain import NOTES, Explanation, Match, explain_pair
from matching.index import OpportunityIndex, PersonIndex, Ranked, explain_pairs
from matching.recommend import recommend_candidates, recommend_placements
from matching.records import Opportunity, Outcome, Person, Skill
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS, PairScore, Scoring, SkillMatch, Weights, score_pair
from matching.text import SkillText, default_text

if TYPE_CHECKING:  # type checkers see these; at run time they load on first use (below)
    from matching.evaluation import EvaluationReport, MethodResult, evaluate
    from matching.learning import OutcomeWeights, WeightChoice, choose_weights

# Loaded on first use: matching.evaluation is also run as a script (python -m matching.evaluation
# --demo), and importing it here eagerly would load it twice and make runpy warn; both it and
# matching.learning bring scikit-learn, some 40 MB that a process ranking and explaining with
# the other modules (a web worker) never needs.
_LAZY = {
    "EvaluationReport": "evaluation",
    "MethodResult": "evaluation",
    "evaluate": "evaluation",
    "OutcomeWeights": "learning",
    "WeightChoice": "learning",
    "choose_weights": "learning",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"matching.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'matching' has no attribute {name!r}")


__all__ = [
    "COMPONENTS",
    "CONSTRAINTS",
    "DEFAULT_WEIGHTS",
    "NOTES",
    "AllocationReport",
    "EvaluationReport",
    "Explanation",
    "Match",
    "MethodResult",
    "Opportunity",
    "OpportunityIndex",
    "Outcome",
    "OutcomeWeights",
    "PairScore",
    "Person",
    "PersonIndex",
    "Ranked",
    "Scoring",
    "Skill",
    "SkillMatch",
    "SkillText",
    "WeightChoice",
    "Weights",
    "allocation_report",
    "choose_weights",
    "default_text",
    "distance_km",
    "evaluate",
    "explain_pair",
    "explain_pairs",
    "is_feasible",
    "recommend_candidates",
    "recommend_placements",
    "score_pair",
    "stable_allocation",
    "violations",
    "welfare_allocation",
]

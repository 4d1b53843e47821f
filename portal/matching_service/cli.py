"""`portal matching ...`: retrain the outcome weights and print the evaluation report."""

from __future__ import annotations

import asyncio
import sys
import time

import click


@click.group("matching")
def matching_group() -> None:
    """Matching: the outcome model behind the suggestions and allocation rounds."""


@matching_group.command("train")
def train() -> None:
    """Train the weights on finished referrals, evaluate them on a time-split holdout, print the report
    and the fairness report (how suggestions and attention spread across groups).

    The learned weights are put in use only when they rank the held-out outcomes better than
    the defaults. Exits with 1 when the training failed.
    """
    from portal.matching_service import training

    async def run() -> dict:
        await training.train()
        return (await training.model_history(limit=1))[0]

    started = time.perf_counter()
    model = asyncio.run(run())
    if model["status"] == "failed":
        click.echo(f"portal: the training failed: {model['error']}", err=True)
        sys.exit(1)
    report = model["report"]
    click.echo(report.get("text", ""))
    if report.get("fairness_text"):
        click.echo("\n" + report["fairness_text"])
    verdict = "learned weights are now in use" if model["in_use"] else "the weights in use did not change"
    click.echo(f"\n{report.get('outcomes', 0)} outcomes; {verdict}; took {time.perf_counter() - started:.1f} s")

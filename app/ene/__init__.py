"""Early Neutral Evaluation: evaluator-hosted sessions, joint channel, caucuses, written
statements, the evaluation, releases by consent and the content-free outcome report."""

"""Public credit composite evaluation (公共信用综合评价): versioned models, set-based scoring with
explanations, resumable batch runs and single-subject re-grading (DESIGN §3.7)."""

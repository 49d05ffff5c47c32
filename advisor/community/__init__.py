"""Community features (issue 14): shared portfolios and follows, track records, quizzes, contribution points."""

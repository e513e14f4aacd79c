"""Reviews: verified reviews, ratings, votes, reports and vendor replies."""

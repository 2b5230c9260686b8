"""rStar policy SFT trainer."""

"""Everything inference needs: the framing classifier, segmentation, attribution, roles, gap scoring, the article pipeline."""

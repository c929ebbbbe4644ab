"""FRE 408 settlement offers: threads of offers and counter-offers between two parties."""

"""Reading aloud: text normalisation, synthesis, audio output and the reading session."""

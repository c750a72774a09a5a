"""Results of the papers behind the articles' advice, measured (Glorot & Bengio, He et al.,
Klambauer et al., Schoenholz et al.)."""

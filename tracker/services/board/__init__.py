"""The programme board's pack: derived RAG with reasons, highlight reports, their publication
and exports."""

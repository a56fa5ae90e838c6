"""Browser views of sources: ITerms adapters and token adapters."""

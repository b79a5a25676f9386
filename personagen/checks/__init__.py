"""Pure checks shared by model validators and `personagen lint`."""

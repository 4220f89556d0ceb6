"""The bottom of the house: the Report model, the one error tree, finding codes and small value
helpers every part may use; nothing here imports another part."""

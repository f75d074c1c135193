"""Language work: segmentation, triggers, roles, modality, time, casualties and entities."""

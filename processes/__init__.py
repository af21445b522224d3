"""The shipped BPMN processes, as package data so an installed planflow finds them."""

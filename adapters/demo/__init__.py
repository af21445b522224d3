"""Demo data written for planflow: the units of a provincial People's Committee office,
its people, and three plans of administrative reform with tasks in every state."""
from adapters.demo.loader import DEMO_PASSWORD, load_demo

__all__ = ["DEMO_PASSWORD", "load_demo"]

"""`{{ n|task_count }}`: a count of tasks as badges show it ("999+" past what was counted)."""

from django import template

from workflow.inbox import shown_count

register = template.Library()
register.filter("task_count", shown_count)

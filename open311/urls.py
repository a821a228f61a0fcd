from django.urls import re_path

from open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery),
    re_path(r"^services" + FMT, views.services),
    re_path(r"^services/(?P<service_code>[\w-]+)" + FMT, views.service_definition),
    re_path(r"^requests" + FMT, views.requests_collection),
    re_path(r"^requests/(?P<service_request_id>[\w-]+)" + FMT, views.request_detail),
    re_path(r"^tokens/(?P<token>[\w-]+)" + FMT, views.token_detail),
    re_path(r"^servicerequestupdates" + FMT, views.request_updates),
]

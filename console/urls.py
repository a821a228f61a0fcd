from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("password/", views.ChangePassword.as_view(), name="password"),
    path("", views.queue, name="queue"),
    path("tickets/<uuid:report_id>/", views.ticket, name="ticket"),
    path("tickets/<uuid:report_id>/act/", views.act, name="act"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<uuid:report_id>/", views.moderate, name="moderate"),
]

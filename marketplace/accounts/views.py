"""Account pages under /account: sign-up, sign-in, sign-out, settings and password reset."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from marketplace.accounts import bp, services
from marketplace.accounts.exceptions import AccountError, InvalidResetToken
from marketplace.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    ProfileForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from marketplace.accounts.models import User
from marketplace.extensions import db, limiter
from marketplace.forms import show_refusal


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (never bounce people to another host)."""
    if not target:
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _home() -> str:
    return url_for("buyers.home")


def _show_error(form: FlaskForm, error: AccountError) -> None:
    """Put a service's refusal next to the field it concerns, or at the top of the form."""
    db.session.rollback()
    show_refusal(form, error.message, error.field)


def _signed_in_user() -> User:
    return current_user._get_current_object()


def _start_session(user: User, *, remember: bool) -> None:
    login_user(user, remember=remember)
    services.mark_signed_in(user)


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> ResponseReturnValue:
    """Open an account and sign straight in."""
    if current_user.is_authenticated:
        return redirect(_home())
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data, form.password.data, form.display_name.data
            )
        except AccountError as error:
            _show_error(form, error)
        else:
            _start_session(user, remember=False)
            db.session.commit()
            flash(f"Welcome, {user.display_name}. Your account is ready.", "success")
            return redirect(_home())
    return render_template("accounts/sign_up.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def sign_in() -> ResponseReturnValue:
    """Sign in, then go back to the page that asked for it (when it is on this site)."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or _home())
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except AccountError as error:
            _show_error(form, error)
        else:
            _start_session(user, remember=bool(form.remember_me.data))
            db.session.commit()
            flash(f"Signed in as {user.email}.", "success")
            return redirect(next_url or _home())
    return render_template("accounts/sign_in.html", form=form, next_url=next_url)


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """End the session (POST with the CSRF token, so no link or image can sign anyone out)."""
    if current_user.is_authenticated:
        logout_user()
        flash("You have signed out.", "info")
    return redirect(_home())


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    """Profile and password, each its own form on one page."""
    profile_form = ProfileForm(prefix="profile", obj=current_user, **_unless_submitted("profile"))
    password_form = ChangePasswordForm(prefix="password", **_unless_submitted("password"))
    if profile_form.submit.data and profile_form.validate_on_submit():
        try:
            services.update_profile(_signed_in_user(), profile_form.display_name.data)
        except AccountError as error:
            _show_error(profile_form, error)
        else:
            db.session.commit()
            flash("Your profile has been saved.", "success")
            return redirect(url_for("accounts.settings"))
    elif password_form.submit.data and password_form.validate_on_submit():
        try:
            services.change_password(
                _signed_in_user(),
                password_form.current_password.data,
                password_form.new_password.data,
            )
        except AccountError as error:
            _show_error(password_form, error)
        else:
            db.session.commit()
            flash("Your password has been changed.", "success")
            return redirect(url_for("accounts.settings"))
    return render_template(
        "accounts/settings.html", profile_form=profile_form, password_form=password_form
    )


def _unless_submitted(prefix: str) -> dict[str, None]:
    """Keyword arguments that keep a form empty of request data when another form was sent."""
    if request.method == "POST" and f"{prefix}-submit" in request.form:
        return {}
    return {"formdata": None}


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link; the answer never says whether the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data,
            lambda token: url_for("accounts.reset_password", token=token, _external=True),
        )
        db.session.commit()
        minutes = max(1, int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60)
        flash(
            "If an account uses that address, we have e-mailed it a link to choose a new "
            f"password. The link works once, for {minutes} minutes.",
            "info",
        )
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password through an e-mailed link."""
    try:
        services.user_for_reset_token(token)
    except InvalidResetToken as error:
        return _invalid_reset_link(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except InvalidResetToken as error:
            db.session.rollback()
            return _invalid_reset_link(error)
        except AccountError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.sign_in"))
    return _no_store(render_template("accounts/reset_password.html", form=form), 200)


def _invalid_reset_link(error: InvalidResetToken) -> ResponseReturnValue:
    return _no_store(render_template("accounts/reset_password.html", invalid=error.message), 400)


def _no_store(body: str, status: int) -> ResponseReturnValue:
    """Pages carrying a reset token stay out of shared caches and the back-forward cache."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response

def test_login_page_is_served_in_vietnamese(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
